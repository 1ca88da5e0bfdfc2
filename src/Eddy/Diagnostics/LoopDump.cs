using System.Text;
using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Diagnostics;

/// <summary>Renders the live coroutines of a loop as a tree, for <see cref="EventLoop.Dump"/>.</summary>
internal static class LoopDump
{
    public static string Render(EventLoop loop)
    {
        var live = loop.Coroutines.Snapshot();
        var alive = new HashSet<Coroutine>(live);
        var children = live.Where(c => c.Parent is not null && alive.Contains(c.Parent)).ToLookup(c => c.Parent!);
        var text = new StringBuilder();
        text.Append("Loop '").Append(loop.Name).Append("': ").Append(live.Count).Append(" live coroutine(s)").AppendLine();
        foreach (var root in live.Where(c => c.Parent is null || !alive.Contains(c.Parent)))
            Append(text, root, children, 1);
        return text.ToString();
    }

    private static void Append(StringBuilder text, Coroutine coroutine, ILookup<Coroutine, Coroutine> children, int depth)
    {
        text.Append(' ', depth * 2).Append(coroutine.Name).Append(" #").Append(coroutine.Id)
            .Append(" [").Append(coroutine.State).Append(']');
        if (coroutine.Group is not null) text.Append(" (in a task group)");
        text.Append(": ").Append(coroutine.DescribeWait()).AppendLine();
        foreach (var child in children[coroutine]) Append(text, child, children, depth + 1);
    }
}
