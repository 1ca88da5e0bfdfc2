// The gevent seed: a producer puts ten messages on a queue, half a second apart; a consumer
// prints them as they arrive.
//
//     def producer():
//         for i in range(10):
//             q.put('message' + str(i)); gevent.sleep(0.5)
//     def consumer():
//         while True: print('Got message:', q.get())
//
// The seed's consumer loops forever, so its joinall never returns. Here the producer completes
// the queue when done and the consumer's `await foreach` ends with it, so the program exits.
using Eddy.Coroutines;
using Eddy.Loop;
using Eddy.Queues;

EventLoop.Run(async () =>
{
    var q = new AsyncQueue<string>();
    var prod = Coroutine.Spawn(async () =>
    {
        for (int i = 0; i < 10; i++)
        {
            await q.PutAsync("message" + i);
            await Coroutine.SleepAsync(TimeSpan.FromSeconds(0.5));
        }
        q.Complete();
    }, "producer");
    var cons = Coroutine.Spawn(async () =>
    {
        await foreach (var msg in q) Console.WriteLine($"Got message: {msg}");
    }, "consumer");
    await Coroutine.JoinAllAsync([prod, cons]);
});
