using System.Collections.Concurrent;

namespace Castio.Core.Common;

/// <summary>
/// Identical reads in flight at the same time share one request: a storm of joins to one meeting reads the meeting
/// and its org once per overlap, not once per person. Nothing is kept once a read completes, so an answer is at most
/// one round trip older than its caller (the read it shares began before the caller arrived). Callers must not
/// change what they get: all of them get the same object.
/// </summary>
public sealed class SharedReads<TKey, TValue>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Task<TValue>> _inFlight = new();

    /// <summary>
    /// The value of <paramref name="read"/> for <paramref name="key"/>, from the read already in flight if there is
    /// one. <paramref name="read"/> is given no token: the shared read must not end because its first caller gave up.
    /// Each caller stops waiting on its own <paramref name="cancellationToken"/>.
    /// </summary>
    public Task<TValue> GetAsync(TKey key, Func<TKey, Task<TValue>> read, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_inFlight.TryGetValue(key, out var shared))
            {
                return shared.WaitAsync(cancellationToken);
            }

            var done = new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_inFlight.TryAdd(key, done.Task))
            {
                _ = ReadAsync(key, read, done);
                return done.Task.WaitAsync(cancellationToken);
            }
        }
    }

    private async Task ReadAsync(TKey key, Func<TKey, Task<TValue>> read, TaskCompletionSource<TValue> done)
    {
        try
        {
            var value = await read(key);
            // Out of the table before anyone sees the answer: a caller that arrives after it starts a fresh read.
            _inFlight.TryRemove(KeyValuePair.Create(key, done.Task));
            done.SetResult(value);
        }
        catch (Exception e)
        {
            _inFlight.TryRemove(KeyValuePair.Create(key, done.Task));
            done.SetException(e);
        }
    }
}
