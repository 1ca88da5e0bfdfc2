namespace Eddy.Diagnostics;

/// <summary>
/// An awaitable of Eddy's that wraps another wait (an enumerator around a queue get, say) and
/// can say what it waits on, so <see cref="Loop.EventLoop.Dump"/> sees through it.
/// </summary>
internal interface IDescribedWait
{
    string DescribeWait();
}
