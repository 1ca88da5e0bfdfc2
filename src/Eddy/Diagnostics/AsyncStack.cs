using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
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
    public static (string Coroutine, string Method) DescribeStep(object? callback, object? state, Coroutine? running)
    {
        object? box = state is Action action ? action.Target : state;
        box ??= (callback as Delegate)?.Target;
        if (box is Coroutine coroutineStep)
        {
            // A coroutine running its own async lambda: its start, or a later step of the lambda.
            return coroutineStep.StateMachineType is { } lambda && !ReferenceEquals(callback, Coroutine.StartCallback)
                ? (Quote(coroutineStep), MethodName(lambda))
                : (Quote(coroutineStep), "its start");
        }
        if (box is null || StateMachineOf(box) is not { } machine) return ("an unknown coroutine", DescribeDelegate(callback));
        var coroutine = running;
        return (coroutine is null ? "code outside any coroutine" : Quote(coroutine), MethodName(machine.GetType()));
    }

    /// <summary>
    /// The chain of awaits a task (an async method's) or a coroutine's async lambda is suspended
    /// in, outermost first.
    /// </summary>
    public static string Describe(object taskOrStateMachine)
    {
        var text = new StringBuilder();
        object? current = taskOrStateMachine;
        for (int depth = 0; depth < MaxDepth && current is not null; depth++)
        {
            if (text.Length > 0) text.Append(" -> ");
            switch (current)
            {
                case Coroutine coroutine:
                    text.Append("awaiting coroutine ").Append(Quote(coroutine));
                    return text.ToString();
                case IDescribedWait described:
                    text.Append("waiting on ").Append(described.DescribeWait());
                    return text.ToString();
                case IValueTaskSource or IValueTaskSource<bool> when DescribeWaiter(current) is { } wait:
                    text.Append("waiting on ").Append(wait);
                    return text.ToString();
                case Task t when StateMachineOf(t) is { } machine:
                    text.Append(MethodName(machine.GetType()));
                    current = AwaitedBy(machine);
                    break;
                case IAsyncStateMachine machine:
                    text.Append(MethodName(machine.GetType()));
                    current = AwaitedBy(machine);
                    break;
                case Task t when SourceOf(t) is { } source:
                    current = source; // a ValueTask turned into a Task: describe what it wraps
                    text.Length -= Math.Min(text.Length, 4);
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
        if (value is SleepAwaitable.Awaiter { IsEmpty: true }) return null; // an await that is over
        if (value is Task or Coroutine or IValueTaskSource or IDescribedWait) return value;
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

    /// <summary>The value-task source a wrapper task (ValueTask.AsTask) completes from.</summary>
    private static object? SourceOf(Task task) =>
        AllFields(task.GetType()).Select(f => f.GetValue(task)).FirstOrDefault(v => v is IValueTaskSource || (v is not null && IsWaiter(v.GetType())));

    private static bool IsWaiter(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Waiter<>);

    private static IEnumerable<FieldInfo> AllFields(Type? type)
    {
        for (; type is not null && type != typeof(object); type = type.BaseType)
            foreach (var field in type.GetFields(Fields | BindingFlags.DeclaredOnly)) yield return field;
    }


    /// <summary>"Type.Method" from a compiler-generated state machine type such as <c>Program+&lt;MainAsync&gt;d__3</c>.</summary>
    private static string MethodName(Type machine)
    {
        string method = MethodNameOf(machine.Name);
        var owner = machine.DeclaringType;
        while (owner is not null && owner.Name.Contains('<')) owner = owner.DeclaringType;
        return owner is null ? method : $"{owner.Name}.{method}";
    }

    /// <summary>
    /// Reads the compiler's names: <c>&lt;RunAsync&gt;d__3</c> (a method), <c>&lt;&lt;Main&gt;$&gt;g__Inner|0_1&gt;d</c>
    /// (a local function) and <c>&lt;&lt;Main&gt;b__0_0&gt;d</c> or <c>&lt;&lt;&lt;Main&gt;$&gt;b__0_0&gt;d</c>
    /// (a lambda inside Main, or inside top-level statements).
    /// </summary>
    private static string MethodNameOf(string name)
    {
        var local = Regex.Match(name, @"g__(?<name>[^|]+)\|");
        if (local.Success) return local.Groups["name"].Value;
        var lambda = Regex.Match(name, @"^<+(?<outer>[^<>$]+)>\$?>?b__");
        if (lambda.Success) return $"a lambda in {lambda.Groups["outer"].Value}";
        var method = Regex.Match(name, @"^<(?<name>[^<>]+)>d__");
        return method.Success ? method.Groups["name"].Value : name;
    }

    private static string DescribeDelegate(object? callback) =>
        callback is Delegate d ? $"{d.Method.DeclaringType?.Name}.{d.Method.Name}" : callback?.GetType().Name ?? "an unknown step";

    private static string Quote(Coroutine coroutine) => $"coroutine '{coroutine.Name}'";
}
