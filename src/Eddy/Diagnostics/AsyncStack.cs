using System.Reflection;
using System.Text;
using System.Threading.Tasks.Sources;
using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Diagnostics;

/// <summary>
/// Reads, best effort and off the hot path, what a suspended async method is doing: which method
/// a step belongs to, which coroutine runs it, and the chain of awaits it is suspended in. It
/// relies on how the C# compiler and the runtime shape async state machines; where that shape is
/// not found, it says less rather than failing.
/// </summary>
internal static class AsyncStack
{
    private const BindingFlags Fields = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
    private const int MaxDepth = 16;

    /// <summary>Names the coroutine and the method a loop step belongs to.</summary>
    public static (string Coroutine, string Method) DescribeStep(object? callback, object? state)
    {
        if (state is Coroutine starting) return (Quote(starting), "its start");
        object? box = state is Action action ? action.Target : state;
        box ??= (callback as Delegate)?.Target;
        if (box is null || StateMachineOf(box) is not { } machine) return ("an unknown coroutine", DescribeDelegate(callback));
        var coroutine = CoroutineOf(box);
        return (coroutine is null ? "code outside any coroutine" : Quote(coroutine), MethodName(machine.GetType()));
    }

    /// <summary>The chain of awaits a task (an async method's) is suspended in, outermost first.</summary>
    public static string Describe(Task task)
    {
        var text = new StringBuilder();
        object? current = task;
        for (int depth = 0; depth < MaxDepth && current is not null; depth++)
        {
            if (text.Length > 0) text.Append(" -> ");
            switch (current)
            {
                case Coroutine coroutine:
                    text.Append("awaiting coroutine ").Append(Quote(coroutine));
                    return text.ToString();
                case IValueTaskSource or IValueTaskSource<bool> when DescribeWaiter(current) is { } wait:
                    text.Append("waiting on ").Append(wait);
                    return text.ToString();
                case Task t when StateMachineOf(t) is { } machine:
                    text.Append(MethodName(machine.GetType()));
                    current = AwaitedBy(machine);
                    break;
                case Task t:
                    text.Append(t.IsCompleted ? "a completed task" : $"a {t.GetType().Name}");
                    return text.ToString();
                default:
                    text.Append(current.GetType().Name);
                    return text.ToString();
            }
        }
        return text.ToString();
    }

    private static string? DescribeWaiter(object source)
    {
        var type = source.GetType();
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(Waiter<>)) return null;
        return type.GetMethod(nameof(Waiter<int>.Describe), Fields)?.Invoke(source, null) as string;
    }

    /// <summary>What a suspended state machine awaits: the object behind its non-empty awaiter field.</summary>
    private static object? AwaitedBy(object machine)
    {
        foreach (var field in machine.GetType().GetFields(Fields))
        {
            if (!field.Name.StartsWith("<>u__", StringComparison.Ordinal)) continue;
            var awaiter = field.GetValue(machine);
            if (awaiter is null) continue;
            if (Unwrap(awaiter, 0) is { } awaited) return awaited;
        }
        return null;
    }

    /// <summary>Finds the task, coroutine or value-task source inside an awaiter (or awaitable) struct.</summary>
    private static object? Unwrap(object value, int depth)
    {
        if (depth > 3) return null;
        if (value is Task or Coroutine or IValueTaskSource) return value;
        var type = value.GetType();
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Waiter<>)) return value;
        if (!type.IsValueType) return null;
        foreach (var field in type.GetFields(Fields))
        {
            if (field.GetValue(value) is { } inner && Unwrap(inner, depth + 1) is { } found) return found;
        }
        return null;
    }

    private static object? StateMachineOf(object box)
    {
        var field = box.GetType().GetField("StateMachine", Fields);
        return field?.GetValue(box);
    }

    private static Coroutine? CoroutineOf(object box)
    {
        if (box.GetType().GetField("Context", Fields)?.GetValue(box) is not ExecutionContext context) return null;
        Coroutine? found = null;
        ExecutionContext.Run(context, _ => found = Coroutine.Current, null);
        return found;
    }

    /// <summary>"Type.Method" from a compiler-generated state machine type such as <c>Program+&lt;MainAsync&gt;d__3</c>.</summary>
    private static string MethodName(Type machine)
    {
        string name = machine.Name;
        int open = name.IndexOf('<'), close = name.IndexOf('>');
        string method = open >= 0 && close > open ? name[(open + 1)..close] : name;
        if (method.Length == 0 || method.Contains('<')) method = "a lambda";
        var owner = machine.DeclaringType;
        while (owner is not null && owner.Name.Contains('<')) owner = owner.DeclaringType;
        return owner is null ? method : $"{owner.Name}.{method}";
    }

    private static string DescribeDelegate(object? callback) =>
        callback is Delegate d ? $"{d.Method.DeclaringType?.Name}.{d.Method.Name}" : callback?.GetType().Name ?? "an unknown step";

    private static string Quote(Coroutine coroutine) => $"coroutine '{coroutine.Name}'";
}
