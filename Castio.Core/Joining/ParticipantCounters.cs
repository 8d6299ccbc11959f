using System.Collections.Concurrent;

namespace Castio.Core.Joining;

/// <summary>The outcome of asking for a place: admitted, or the cap that is full.</summary>
public readonly record struct Admission(bool Admitted, string? FullCap);

/// <summary>
/// Participant and guest counts per RTK meeting, checked against the caps and written under the counter row's
/// ETag, so no two instances can both take the last place. Within one instance, requests that arrive while a
/// write is in flight are decided together and written in the next single ETag write (group commit): a storm of
/// 64 joins costs a handful of writes instead of 64 writers retrying against each other.
/// </summary>
public sealed class ParticipantCounters(ParticipantStore store)
{
    private const int MaxIdleLanes = 10_000;
    private readonly ConcurrentDictionary<(string Partition, string Row), Lane> _lanes = new();

    public Task<Admission> AdmitAsync(Guid orgId, Guid meetingId, string rtkMeetingId, bool guest, int maxParticipants, int maxGuests) =>
        Enqueue(orgId, meetingId, rtkMeetingId, new Request(+1, guest, maxParticipants, maxGuests));

    /// <summary>Gives a place back (an admission that did not lead to a participant, or a participant who left for good).</summary>
    public Task ReleaseAsync(Guid orgId, Guid meetingId, string rtkMeetingId, bool guest) =>
        Enqueue(orgId, meetingId, rtkMeetingId, new Request(-1, guest, int.MaxValue, int.MaxValue));

    /// <summary>Current counts, read from storage.</summary>
    public async Task<(int Participants, int Guests)> ReadAsync(Guid orgId, Guid meetingId, string rtkMeetingId, CancellationToken cancellationToken)
    {
        var row = await store.GetCounterAsync(ParticipantKeys.Partition(orgId), ParticipantKeys.Counter(meetingId, rtkMeetingId), cancellationToken);
        return (row?.Participants ?? 0, row?.Guests ?? 0);
    }

    private Task<Admission> Enqueue(Guid orgId, Guid meetingId, string rtkMeetingId, Request request)
    {
        var key = (ParticipantKeys.Partition(orgId), ParticipantKeys.Counter(meetingId, rtkMeetingId));
        if (_lanes.Count > MaxIdleLanes)
        {
            foreach (var (k, lane) in _lanes)
            {
                if (lane.IsIdle)
                {
                    _lanes.TryRemove(KeyValuePair.Create(k, lane));
                }
            }
        }

        return _lanes.GetOrAdd(key, k => new Lane(store, k.Partition, k.Row)).Enqueue(request);
    }

    private sealed record Request(int Delta, bool Guest, int MaxParticipants, int MaxGuests)
    {
        public TaskCompletionSource<Admission> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Lane(ParticipantStore store, string partition, string row)
    {
        private readonly Lock _gate = new();
        private List<Request> _queue = [];
        private bool _running;

        // The row as last written or read here; a stale copy only costs a failed conditional write.
        private ParticipantCounterEntity? _known;

        public bool IsIdle
        {
            get
            {
                lock (_gate)
                {
                    return !_running && _queue.Count == 0;
                }
            }
        }

        public Task<Admission> Enqueue(Request request)
        {
            lock (_gate)
            {
                _queue.Add(request);
                if (!_running)
                {
                    _running = true;
                    _ = Task.Run(DrainAsync);
                }
            }

            return request.Done.Task;
        }

        private async Task DrainAsync()
        {
            while (true)
            {
                List<Request> batch;
                lock (_gate)
                {
                    if (_queue.Count == 0)
                    {
                        _running = false;
                        return;
                    }

                    batch = _queue;
                    _queue = [];
                }

                try
                {
                    await CommitAsync(batch);
                }
                catch (Exception e)
                {
                    _known = null;
                    foreach (var r in batch)
                    {
                        r.Done.TrySetException(e);
                    }
                }
            }
        }

        private async Task CommitAsync(List<Request> batch)
        {
            while (true)
            {
                var cached = _known is not null;
                var current = _known ?? await store.GetCounterAsync(partition, row, CancellationToken.None)
                    ?? new ParticipantCounterEntity { PartitionKey = partition, RowKey = row };
                var next = new ParticipantCounterEntity
                {
                    PartitionKey = partition, RowKey = row, ETag = current.ETag, Participants = current.Participants, Guests = current.Guests,
                };
                var decisions = new Admission[batch.Count];
                for (var i = 0; i < batch.Count; i++)
                {
                    decisions[i] = Apply(next, batch[i]);
                }

                // A refusal must rest on fresh counts: another instance may have given places back.
                if (cached && decisions.Any(d => !d.Admitted))
                {
                    _known = null;
                    continue;
                }

                var changed = next.Participants != current.Participants || next.Guests != current.Guests;
                if (!changed || await store.TryWriteCounterAsync(next, CancellationToken.None))
                {
                    _known = changed ? next : current;
                    for (var i = 0; i < batch.Count; i++)
                    {
                        batch[i].Done.TrySetResult(decisions[i]);
                    }

                    return;
                }

                // Another instance wrote first: read again and decide the whole batch again.
                _known = null;
            }
        }

        private static Admission Apply(ParticipantCounterEntity counts, Request r)
        {
            if (r.Delta < 0)
            {
                counts.Participants = Math.Max(0, counts.Participants - 1);
                if (r.Guest)
                {
                    counts.Guests = Math.Max(0, counts.Guests - 1);
                }

                return new(true, null);
            }

            if (counts.Participants + 1 > r.MaxParticipants)
            {
                return new(false, JoinErrors.ParticipantsPerMeeting);
            }

            if (r.Guest && counts.Guests + 1 > r.MaxGuests)
            {
                return new(false, JoinErrors.GuestsPerMeeting);
            }

            counts.Participants++;
            if (r.Guest)
            {
                counts.Guests++;
            }

            return new(true, null);
        }
    }
}
