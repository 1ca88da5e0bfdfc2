// The asyncio seed: two "hello" coroutines that sleep concurrently on one thread.
//
//     async def hello():
//         print('Hello World! (%s)' % threading.current_thread())
//         await asyncio.sleep(1)
//         print('Hello Again! (%s)' % threading.current_thread())
//     loop.run_until_complete(asyncio.wait([hello(), hello()]))
//
// Both greetings print before either "again", after one second in all (not two), and every
// line names the same thread: concurrency without threads.
using Eddy.Coroutines;
using Eddy.Loop;

EventLoop.Run(async () =>
{
    var started = EventLoop.Current.Time;
    await Coroutine.JoinAllAsync([Coroutine.Spawn(Hello), Coroutine.Spawn(Hello)]);
    Console.WriteLine($"Both done in {(EventLoop.Current.Time - started).TotalSeconds:F1} s.");
});

static async Task Hello()
{
    Console.WriteLine($"Hello World! (thread {Environment.CurrentManagedThreadId})");
    await Coroutine.SleepAsync(TimeSpan.FromSeconds(1));
    Console.WriteLine($"Hello Again! (thread {Environment.CurrentManagedThreadId})");
}
