namespace Eddy.Queues;

/// <summary>
/// Thrown by a queue that <see cref="AsyncQueueBase{T}.Complete"/> was called on: by
/// <see cref="AsyncQueueBase{T}.GetAsync"/> once the remaining items are drained, and by
/// <see cref="AsyncQueueBase{T}.PutAsync"/> (including a put that was waiting for room when the
/// queue was completed).
/// </summary>
/// <remarks>
/// It derives from <see cref="InvalidOperationException"/>, so code that treats any misuse alike
/// still catches it; consumers that only want the items can use <c>await foreach</c>, which ends
/// quietly instead.
/// </remarks>
public class QueueCompletedException : InvalidOperationException
{
    /// <summary>Creates the exception with a default message.</summary>
    public QueueCompletedException()
        : base("The queue was completed: no more items will be put into it.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public QueueCompletedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The cause, or null.</param>
    public QueueCompletedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
