using System.Collections.Concurrent;
using Azure;
using Castio.Core.Common;
using Castio.Core.Joining;
using Azure.Data.Tables;

namespace Castio.Core.PostMeeting;

/// <summary>A peer joining or leaving, from a webhook.</summary>
public sealed record PeerFact(string PeerId, string? ParticipantId, string? Name, DateTimeOffset? JoinedAt, DateTimeOffset? LeftAt, bool Left);

/// <summary>A recording's state as RTK reported it (webhook or REST).</summary>
public sealed record RecordingFact(
    string RecordingId, string? RtkSessionId, string Status, DateTimeOffset? StartedTime, DateTimeOffset? StoppedTime,
    long? FileSize, double? DurationSeconds, string? OutputFileName, string? DownloadUrl, DateTimeOffset? DownloadUrlExpiry);

/// <summary>
/// Writes RTK facts into the post-meeting tables so that duplicates and any arrival order give the same rows:
/// sessions and peers take property-disjoint merges, recordings a monotonic merge under ETag.
/// A peer's join and leave also keep the participant's place in the meeting in step (<see cref="ParticipantPresence"/>).
/// </summary>
public sealed class SessionProjections(PostMeetingStore store, TimeProvider time, ParticipantPresence presence)
{
    /// <summary>Lifecycle order of RTK recording statuses; a fact never moves a recording back.</summary>
    public static int StatusRank(string? status) => status switch
    {
        "INVOKED" => 0,
        "PAUSED" => 1,
        "RECORDING" => 2,
        "UPLOADING" => 3,
        "ERRORED" => 4,
        "UPLOADED" => 5,
        _ => -1,
    };

    public static bool IsTerminal(string? status) => status is "UPLOADED" or "ERRORED";

    /// <summary>Creates the session row if absent, and sets what every event of the session knows.</summary>
    /// <remarks>
    /// Every event of a session says the same: once this process has written a set of values it skips writing them again
    /// for a while (a burst of participant events then costs one session write, not one each).
    /// </remarks>
    public async Task SessionSeenAsync(MeetingRef meeting, string rtkSessionId, DateTimeOffset? startedAt, string? rtkAppId, string? title, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var seen = $"{meeting.OrgId:N}|{meeting.MeetingId:N}|{rtkSessionId}|{startedAt?.UtcTicks}|{rtkAppId}|{title}";
        if (_seen.TryGetValue(seen, out var until) && until > now) return;
        await store.EnsureCreatedAsync(cancellationToken);
        await PostMeetingStore.MergeAsync(store.Sessions, PostMeetingStore.Org(meeting.OrgId), PostMeetingStore.SessionRow(meeting.MeetingId, rtkSessionId),
            Common(meeting, rtkSessionId, startedAt, rtkAppId, title), cancellationToken);
        if (_seen.Count >= MaxSeen) _seen.Clear();
        _seen[seen] = now + SeenFor;
    }

    /// <summary>
    /// Whether the session is known to have ended (a participant fact arriving after that must reopen its record).
    /// An ended session stays ended; "not ended" is read again after a few seconds, so a burst costs one read.
    /// </summary>
    public async Task<bool> IsEndedAsync(SessionKey key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var cacheKey = $"{key.OrgId:N}|{key.MeetingId:N}|{key.RtkSessionId}";
        if (_ended.TryGetValue(cacheKey, out var known) && (known.Ended || known.Until > now)) return known.Ended;
        var ended = (await store.GetSessionAsync(key, cancellationToken))?.EndedAt is not null;
        if (_ended.Count >= MaxSeen) _ended.Clear();
        _ended[cacheKey] = (ended, now + LiveFor);
        return ended;
    }

    private static readonly TimeSpan LiveFor = TimeSpan.FromSeconds(3);
    private readonly ConcurrentDictionary<string, (bool Ended, DateTimeOffset Until)> _ended = new(StringComparer.Ordinal);

    private const int MaxSeen = 10_000;
    private static readonly TimeSpan SeenFor = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    public async Task SessionEndedAsync(MeetingRef meeting, string rtkSessionId, DateTimeOffset? startedAt, DateTimeOffset endedAt, string? reason, string? rtkAppId, string? title, CancellationToken cancellationToken)
    {
        await store.EnsureCreatedAsync(cancellationToken);
        await PostMeetingStore.MergeAsync(store.Sessions, PostMeetingStore.Org(meeting.OrgId), PostMeetingStore.SessionRow(meeting.MeetingId, rtkSessionId),
            [.. Common(meeting, rtkSessionId, startedAt, rtkAppId, title), new(nameof(SessionEntity.EndedAt), endedAt), new(nameof(SessionEntity.EndReason), reason)],
            cancellationToken);
        _ended[$"{meeting.OrgId:N}|{meeting.MeetingId:N}|{rtkSessionId}"] = (true, DateTimeOffset.MaxValue);
    }

    private static IEnumerable<KeyValuePair<string, object?>> Common(MeetingRef meeting, string rtkSessionId, DateTimeOffset? startedAt, string? rtkAppId, string? title) =>
    [
        new(nameof(SessionEntity.Id), PostMeetingStore.SessionId(meeting.OrgId, rtkSessionId)),
        new(nameof(SessionEntity.MeetingId), meeting.MeetingId),
        new(nameof(SessionEntity.RtkMeetingId), meeting.RtkMeetingId),
        new(nameof(SessionEntity.RtkSessionId), rtkSessionId),
        new(nameof(SessionEntity.MeetingType), meeting.MeetingType),
        new(nameof(SessionEntity.Permanent), meeting.Permanent),
        new(nameof(SessionEntity.StartedAt), startedAt),
        new(nameof(SessionEntity.RtkAppId), rtkAppId),
        new(nameof(SessionEntity.Title), title),
    ];

    /// <summary>
    /// A joined writes the join; a left writes the leave (and the join time it carries): the two commute. Each also
    /// keeps the participant's place in the RTK meeting in step with their open peers (taken or given back at most once
    /// however often it is applied).
    /// </summary>
    /// <param name="sessionEnded">Whether the session is over (a join then counts nobody); the caller reads it alongside.</param>
    public async Task PeerAsync(MeetingRef meeting, string rtkSessionId, PeerFact peer, Task<bool> sessionEnded, CancellationToken cancellationToken)
    {
        var place = peer.Left
            ? presence.LeftAsync(meeting.OrgId, meeting.MeetingId, meeting.RtkMeetingId, peer.ParticipantId, peer.PeerId, cancellationToken)
            : presence.JoinedAsync(meeting.OrgId, meeting.MeetingId, meeting.RtkMeetingId, peer.ParticipantId, peer.PeerId, peer.JoinedAt, sessionEnded, cancellationToken);
        await store.EnsureCreatedAsync(cancellationToken);
        List<KeyValuePair<string, object?>> values =
        [
            new(nameof(PeerEntity.ParticipantId), peer.ParticipantId),
            new(nameof(PeerEntity.Name), peer.Name),
            new(nameof(PeerEntity.JoinedAt), peer.JoinedAt),
            new(peer.Left ? nameof(PeerEntity.SeenLeft) : nameof(PeerEntity.SeenJoined), true),
        ];
        if (peer.Left) values.Add(new(nameof(PeerEntity.LeftAt), peer.LeftAt));
        await Task.WhenAll(
            store.MergePeerAsync(meeting.OrgId, rtkSessionId, peer.PeerId, values, cancellationToken),
            place);
    }

    /// <summary>Fills peers RTK knows and Castio missed (a lost webhook); returns how many rows changed.</summary>
    public async Task<int> ReconcilePeersAsync(SessionKey key, IEnumerable<PeerFact> rtkPeers, CancellationToken cancellationToken)
    {
        var known = (await store.ListPeersAsync(key, cancellationToken)).ToDictionary(p => p.PeerId, StringComparer.Ordinal);
        var changed = 0;
        foreach (var peer in rtkPeers)
        {
            known.TryGetValue(peer.PeerId, out var mine);
            List<KeyValuePair<string, object?>> values = [];
            if (mine is null)
            {
                values.AddRange([new(nameof(PeerEntity.ParticipantId), peer.ParticipantId), new(nameof(PeerEntity.Name), peer.Name),
                    new(nameof(PeerEntity.JoinedAt), peer.JoinedAt), new(nameof(PeerEntity.LeftAt), peer.LeftAt), new(nameof(PeerEntity.Reconciled), true)]);
            }
            else
            {
                if (mine.JoinedAt is null && peer.JoinedAt is not null) values.Add(new(nameof(PeerEntity.JoinedAt), peer.JoinedAt));
                if (mine.LeftAt is null && peer.LeftAt is not null) values.Add(new(nameof(PeerEntity.LeftAt), peer.LeftAt));
                if (mine.ParticipantId is null && peer.ParticipantId is not null) values.Add(new(nameof(PeerEntity.ParticipantId), peer.ParticipantId));
                if (values.Count > 0) values.Add(new(nameof(PeerEntity.Reconciled), true));
            }
            if (values.Count == 0) continue;
            await store.MergePeerAsync(key.OrgId, key.RtkSessionId, peer.PeerId, values, cancellationToken);
            changed++;
        }
        return changed;
    }

    /// <summary>Merges a recording status: the highest status wins, known values are kept, newer download links replace older ones.</summary>
    public async Task<RecordingEntity> RecordingAsync(MeetingRef meeting, RecordingFact fact, CancellationToken cancellationToken)
    {
        await store.EnsureCreatedAsync(cancellationToken);
        var partition = PostMeetingStore.Org(meeting.OrgId);
        var row = PostMeetingStore.RecordingRow(meeting.MeetingId, fact.RecordingId);
        _recordings.TryRemove(partition + "|" + row, out var guess);
        for (var attempt = 0; ; attempt++)
        {
            var guessed = guess is not null;
            var current = guess ?? (await store.Recordings.GetEntityIfExistsAsync<RecordingEntity>(partition, row, cancellationToken: cancellationToken)).ValueOrNull();
            guess = null;
            var merged = Merge(current, fact);
            if (current is not null && !Changed(current, merged))
            {
                if (guessed) continue; // a fact that changes nothing is only decided so on the row just read
                return current;
            }

            var entity = new TableEntity(partition, row)
            {
                [nameof(RecordingEntity.RecordingId)] = fact.RecordingId,
                [nameof(RecordingEntity.MeetingId)] = meeting.MeetingId,
                [nameof(RecordingEntity.Status)] = merged.Status,
                [nameof(RecordingEntity.RtkSessionId)] = merged.RtkSessionId,
                [nameof(RecordingEntity.StartedTime)] = merged.StartedTime,
                [nameof(RecordingEntity.StoppedTime)] = merged.StoppedTime,
                [nameof(RecordingEntity.FileSize)] = merged.FileSize,
                [nameof(RecordingEntity.DurationSeconds)] = merged.DurationSeconds,
                [nameof(RecordingEntity.OutputFileName)] = merged.OutputFileName,
                [nameof(RecordingEntity.DownloadUrl)] = merged.DownloadUrl,
                [nameof(RecordingEntity.DownloadUrlExpiry)] = merged.DownloadUrlExpiry,
            };
            try
            {
                Response written;
                if (current is null)
                {
                    entity[nameof(RecordingEntity.CopyState)] = CopyStates.Pending;
                    written = await store.Recordings.AddEntityAsync(entity, cancellationToken);
                }
                else
                {
                    // Merge: the copy's own properties stay as the copier wrote them.
                    written = await store.Recordings.UpdateEntityAsync(entity, current.ETag, TableUpdateMode.Merge, cancellationToken);
                }

                if (written.Headers.ETag is { } etag)
                {
                    merged.ETag = etag;
                    if (_recordings.Count >= MaxSeen) _recordings.Clear();
                    _recordings[partition + "|" + row] = merged;
                }
                return merged;
            }
            catch (RequestFailedException e) when (PostMeetingStore.IsConflict(e) && attempt < 20)
            {
            }
        }
    }

    // Each recording row as this process last wrote it (the properties facts merge, with its ETag), tried before reading:
    // a recording's statuses arrive one after another. A write under a stale ETag fails, and the row is read.
    private readonly ConcurrentDictionary<string, RecordingEntity> _recordings = new(StringComparer.Ordinal);

    private static RecordingEntity Merge(RecordingEntity? current, RecordingFact f)
    {
        var c = current ?? new RecordingEntity { RecordingId = f.RecordingId, Status = f.Status };
        var newerLink = f.DownloadUrl is not null && (c.DownloadUrl is null || (f.DownloadUrlExpiry ?? DateTimeOffset.MinValue) > (c.DownloadUrlExpiry ?? DateTimeOffset.MinValue));
        return new RecordingEntity
        {
            RecordingId = c.RecordingId,
            MeetingId = c.MeetingId,
            ETag = c.ETag,
            CopyState = c.CopyState,
            Status = StatusRank(f.Status) > StatusRank(c.Status) ? f.Status : c.Status,
            RtkSessionId = c.RtkSessionId ?? f.RtkSessionId,
            StartedTime = Min(c.StartedTime, f.StartedTime),
            StoppedTime = Max(c.StoppedTime, f.StoppedTime),
            FileSize = Max(c.FileSize, f.FileSize),
            DurationSeconds = Max(c.DurationSeconds, f.DurationSeconds),
            OutputFileName = c.OutputFileName ?? f.OutputFileName,
            DownloadUrl = newerLink ? f.DownloadUrl : c.DownloadUrl,
            DownloadUrlExpiry = newerLink ? f.DownloadUrlExpiry : c.DownloadUrlExpiry,
        };
    }

    private static bool Changed(RecordingEntity a, RecordingEntity b) =>
        a.Status != b.Status || a.RtkSessionId != b.RtkSessionId || a.StartedTime != b.StartedTime || a.StoppedTime != b.StoppedTime
        || a.FileSize != b.FileSize || a.DurationSeconds != b.DurationSeconds || a.OutputFileName != b.OutputFileName
        || a.DownloadUrl != b.DownloadUrl || a.DownloadUrlExpiry != b.DownloadUrlExpiry;

    private static T? Min<T>(T? a, T? b) where T : struct, IComparable<T> => a is null ? b : b is null ? a : a.Value.CompareTo(b.Value) <= 0 ? a : b;

    private static T? Max<T>(T? a, T? b) where T : struct, IComparable<T> => a is null ? b : b is null ? a : a.Value.CompareTo(b.Value) >= 0 ? a : b;

    /// <summary>A transcript, summary or chat export RTK announced (link + expiry). The copy's properties are not touched.</summary>
    public async Task ArtefactAsync(MeetingRef meeting, string rtkSessionId, string kind, string? downloadUrl, DateTimeOffset? expiry, CancellationToken cancellationToken)
    {
        await store.EnsureCreatedAsync(cancellationToken);
        await PostMeetingStore.MergeAsync(store.Artefacts, PostMeetingStore.Org(meeting.OrgId), PostMeetingStore.ArtefactRow(meeting.MeetingId, rtkSessionId, kind),
        [
            new(nameof(ArtefactEntity.MeetingId), meeting.MeetingId),
            new(nameof(ArtefactEntity.RtkSessionId), rtkSessionId),
            new(nameof(ArtefactEntity.Kind), kind),
            new(nameof(ArtefactEntity.DownloadUrl), downloadUrl),
            new(nameof(ArtefactEntity.DownloadUrlExpiry), expiry),
        ], cancellationToken);
    }

    public async Task LivestreamAsync(MeetingRef meeting, string streamId, string? status, string? playbackUrl, CancellationToken cancellationToken)
    {
        await store.EnsureCreatedAsync(cancellationToken);
        var flag = status switch
        {
            "LIVE" => nameof(LivestreamEntity.SeenLive),
            "OFFLINE" => nameof(LivestreamEntity.SeenOffline),
            _ => nameof(LivestreamEntity.SeenIdle),
        };
        await PostMeetingStore.MergeAsync(store.Livestreams, PostMeetingStore.Org(meeting.OrgId), PostMeetingStore.LivestreamRow(meeting.MeetingId, streamId),
        [
            new(nameof(LivestreamEntity.MeetingId), meeting.MeetingId),
            new(nameof(LivestreamEntity.StreamId), streamId),
            new(flag, true),
            new(nameof(LivestreamEntity.PlaybackUrl), playbackUrl),
        ], cancellationToken);
    }

    /// <summary>Notes that the session's post-meeting work is due at <paramref name="at"/> (idempotent per bucket).</summary>
    public async Task MarkDueAsync(SessionKey key, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await store.EnsureCreatedAsync(cancellationToken);
        // Through group commit: a burst of facts of one session marks it due once. The two writes are independent
        // (the caller fails, and RTK retries, unless both are stored), so they go together.
        await Task.WhenAll(
            PostMeetingStore.UpsertAsync(store.Due, new PostMeetingDueEntity
            {
                PartitionKey = PostMeetingStore.DueBucket(at), RowKey = PostMeetingStore.DueRow(key),
                OrgId = key.OrgId, MeetingId = key.MeetingId, RtkSessionId = key.RtkSessionId,
            }, cancellationToken),
            PostMeetingStore.MergeAsync(store.Sessions, PostMeetingStore.Org(key.OrgId), PostMeetingStore.SessionRow(key.MeetingId, key.RtkSessionId),
                [new(nameof(SessionEntity.DueAt), time.GetUtcNow())], cancellationToken));
    }
}
