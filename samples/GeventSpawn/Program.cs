// The gevent seed: spawn three compute tasks, join them all, print each task's value.
//
//     tasks = [gevent.spawn(compute, 10000), gevent.spawn(compute, 20000), gevent.spawn(compute, 30000)]
//     gevent.joinall(tasks)
//     for task in tasks: print(task.value)
using Eddy.Coroutines;
using Eddy.Loop;

EventLoop.Run(async () =>
{
    var tasks = new[] { 10000, 20000, 30000 }
        .Select(n => Coroutine.Spawn(() => Task.FromResult(Compute(n)), $"compute({n})"))
        .ToList();
    await Coroutine.JoinAllAsync(tasks);
    foreach (var task in tasks) Console.WriteLine(task.Value);
});

// Sum of 1/i² for i in [1, n): approaches π²/6.
static double Compute(int n)
{
    double s = 0;
    for (int i = 1; i < n; i++) s += 1.0 / ((double)i * i);
    return s;
}
