using System.Threading.Tasks.Sources;
using Eddy.Loop;

namespace Eddy.Queues;

public abstract partial class AsyncQueueBase<T>
{
    /// <summary>
    /// One <c>await foreach</c> over a queue. Its waits are ordinary getters in the queue's wait
    /// list (so they take their turn with <see cref="GetAsync"/> callers), marked by
    /// <see cref="Waiter{T}.Tag"/> so that completion ends them with "no more items" instead of an
    /// exception. It is itself the source of the <see cref="ValueTask{Boolean}"/> that
    /// <see cref="MoveNextAsync"/> returns, so a step that waits allocates nothing either.
    /// </summary>
    private sealed class Enumerator : IAsyncEnumerator<T>, IValueTaskSource<bool>, Diagnostics.IDescribedWait
    {
        private static readonly Action<object?> OnWaitEnded = static state => ((Enumerator)state!).Resume();

        private readonly AsyncQueueBase<T> _queue;
        private readonly CancellationToken _token;
        private readonly CancellationTokenSource? _linked;
        private T _current = default!;

        private Waiter<T>? _wait;
        private short _waitVersion;
        private bool _queueEnded;

        private short _version;
        private bool _pending;
        private bool _hasItem;
        private Exception? _error;
        private Action<object?>? _continuation;
        private object? _continuationState;
        private bool _disposed;

        /// <summary>For loop.Dump(): an enumerator waits on its queue's get.</summary>
        public string DescribeWait() => $"{_queue.DisplayName} (await foreach, empty)";

        public Enumerator(AsyncQueueBase<T> queue, CancellationToken token, CancellationTokenSource? linked)
        {
            _queue = queue;
            _token = token;
            _linked = linked;
        }

        public T Current => _current;

        public ValueTask<bool> MoveNextAsync()
        {
            var loop = EventLoop.Bind(ref _queue._loop);
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_pending)
            {
                throw new InvalidOperationException(
                    $"MoveNextAsync was called on an enumerator of a {_queue.DisplayName} before the previous call's result was awaited. Await each MoveNextAsync before the next.");
            }
            if (_token.IsCancellationRequested) return ValueTask.FromCanceled<bool>(_token);
            if (_queue.TryTakeCore(out var item))
            {
                _current = item;
                return new ValueTask<bool>(true);
            }
            if (_queue._completed)
            {
                _current = default!;
                return new ValueTask<bool>(false);
            }

            var wait = Waiter<T>.Rent(loop, _queue);
            wait.Tag = this;
            _wait = wait;
            _waitVersion = wait.Version;
            _pending = true;
            if (wait.RegisterCancellation(_token) && !wait.IsCompleted) _queue._getters.Add(wait);
            return new ValueTask<bool>(this, _version);
        }

        /// <summary>Called by <see cref="Complete"/> just before it ends our wait with a default item.</summary>
        public void OnQueueEnded() => _queueEnded = true;

        public ValueTaskSourceStatus GetStatus(short token)
        {
            Validate(token);
            if (_wait is { } wait)
            {
                if (!wait.IsCompleted) return ValueTaskSourceStatus.Pending;
                Consume();
            }
            if (_error is null) return ValueTaskSourceStatus.Succeeded;
            return _error is OperationCanceledException ? ValueTaskSourceStatus.Canceled : ValueTaskSourceStatus.Faulted;
        }

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        {
            Validate(token);
            if (_wait is null)
            {
                _queue._loop!.PostFromAnyThread(continuation, state);
                return;
            }
            _continuation = continuation;
            _continuationState = state;
            // The waiter posts OnWaitEnded to the loop (flowing the execution context if asked), and
            // that step resumes the consumer directly: one loop step per wake-up, as for GetAsync.
            _wait.OnCompleted(OnWaitEnded, this, _waitVersion, flags);
        }

        public bool GetResult(short token)
        {
            Validate(token);
            if (_wait is { } wait)
            {
                if (!wait.IsCompleted) ThrowMisuse();
                Consume();
            }
            _pending = false;
            _version++;
            if (_error is { } error)
            {
                _error = null;
                EventLoop.Rethrow(error);
            }
            return _hasItem;
        }

        public ValueTask DisposeAsync()
        {
            if (_disposed) return default;
            if (_pending && _wait is not null)
            {
                throw new InvalidOperationException(
                    $"An enumerator of a {_queue.DisplayName} was disposed while its MoveNextAsync still waited. Await MoveNextAsync (cancel its token to stop it early) before disposing.");
            }
            _disposed = true;
            _current = default!;
            _linked?.Dispose();
            return default;
        }

        private void Resume()
        {
            if (_wait is not null) Consume();
            var continuation = _continuation!;
            var state = _continuationState;
            _continuation = null;
            _continuationState = null;
            continuation(state);
        }

        /// <summary>Takes the outcome of the finished wait and gives the waiter back to its pool.</summary>
        private void Consume()
        {
            var wait = _wait!;
            _wait = null;
            bool ended = _queueEnded;
            _queueEnded = false;
            try
            {
                var item = wait.GetResult(_waitVersion);
                _hasItem = !ended;
                _current = ended ? default! : item;
            }
            catch (Exception e)
            {
                _hasItem = false;
                _current = default!;
                _error = e;
            }
        }

        private void Validate(short token)
        {
            if (token != _version || !_pending) ThrowMisuse();
        }

        private static void ThrowMisuse() => throw new InvalidOperationException(
            "This ValueTask was already awaited, or is awaited twice at once. Await each ValueTask returned by Eddy exactly once; call .AsTask() to await it more than once.");
    }

    /// <summary>What <see cref="ReadAllAsync"/> returns when given a token: each enumeration also watches that token.</summary>
    private sealed class CancellableEnumerable(AsyncQueueBase<T> queue, CancellationToken token) : IAsyncEnumerable<T>
    {
        public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            EventLoop.Bind(ref queue._loop);
            if (!cancellationToken.CanBeCanceled || cancellationToken == token) return new Enumerator(queue, token, null);
            var linked = CancellationTokenSource.CreateLinkedTokenSource(token, cancellationToken);
            return new Enumerator(queue, linked.Token, linked);
        }
    }
}
