// The asyncio article's generator-based producer/consumer, twice:
//  1. as in the seed, with a C# iterator standing in for Python's generator (send() becomes a
//     shared "inbox" the producer fills before each MoveNext());
//  2. the idiomatic C# way: the producer is an IAsyncEnumerable and the consumer awaits it, on
//     one Eddy loop, with no thread and no lock.
using Eddy.Coroutines;
using Eddy.Loop;

Console.WriteLine("-- iterator version --");
IteratorVersion.Run();
Console.WriteLine("-- IAsyncEnumerable version --");
EventLoop.Run(AsyncStreamVersion.RunAsync);

static class IteratorVersion
{
    // Python's `n = yield r` both receives and returns; a C# iterator only yields, so the value
    // sent in travels through this box.
    private sealed class Inbox { public int Value; }

    private static IEnumerator<string> Consumer(Inbox inbox)
    {
        string r = "";
        while (true)
        {
            yield return r;
            int n = inbox.Value;
            if (n == 0) yield break;
            Console.WriteLine($"[CONSUMER] Consuming {n}...");
            r = "200 OK";
        }
    }

    public static void Run()
    {
        var inbox = new Inbox();
        using var c = Consumer(inbox);
        c.MoveNext(); // c.send(None): start the generator
        for (int n = 1; n <= 5; n++)
        {
            Console.WriteLine($"[PRODUCER] Producing {n}...");
            inbox.Value = n;
            c.MoveNext();
            Console.WriteLine($"[PRODUCER] Consumer return: {c.Current}");
        }
    } // c.close()
}

static class AsyncStreamVersion
{
    private static async IAsyncEnumerable<int> Produce()
    {
        for (int n = 1; n <= 5; n++)
        {
            Console.WriteLine($"[PRODUCER] Producing {n}...");
            yield return n;
            await Coroutine.YieldAsync(); // let other coroutines of the loop run between items
        }
    }

    public static async Task RunAsync()
    {
        await foreach (int n in Produce())
        {
            Console.WriteLine($"[CONSUMER] Consuming {n}... 200 OK (thread {Environment.CurrentManagedThreadId})");
        }
    }
}
