using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Castio.Core.Common;
using Castio.Core.Storage;

namespace Castio.Core.PostMeeting;

/// <summary>
/// The post-meeting record's tables (partitioned by org, except the due index):
/// <list type="bullet">
/// <item><c>pmsessions</c> (<see cref="SessionEntity"/>), <c>pmpeers</c> (<see cref="PeerEntity"/>),
/// <c>pmrecordings</c> (<see cref="RecordingEntity"/>), <c>pmartefacts</c> (<see cref="ArtefactEntity"/>),
/// <c>pmlivestreams</c> (<see cref="LivestreamEntity"/>), <c>pmanalytics</c> (<see cref="AnalyticsEntity"/>);</item>
/// <item><c>pmdue</c> (<see cref="PostMeetingDueEntity"/>): sessions whose post-meeting work is due, by 5-minute bucket.</item>
/// </list>
/// Blob copies live in the org's own container (<see cref="OrgContainerName"/>).
/// </summary>
public sealed class PostMeetingStore
{
    public const string SessionsTable = "pmsessions";
    public const string PeersTable = "pmpeers";
    public const string RecordingsTable = "pmrecordings";
    public const string ArtefactsTable = "pmartefacts";
    public const string LivestreamsTable = "pmlivestreams";
    public const string DueTable = "pmdue";
    public const string AnalyticsTable = "pmanalytics";

    private readonly CreateOnce _created;
    private readonly string _namePrefix;

    public PostMeetingStore(TableServiceClient tables, string namePrefix = "")
    {
        _namePrefix = namePrefix;
        Sessions = tables.GetTableClient(namePrefix + SessionsTable);
        Peers = tables.GetTableClient(namePrefix + PeersTable);
        Recordings = tables.GetTableClient(namePrefix + RecordingsTable);
        Artefacts = tables.GetTableClient(namePrefix + ArtefactsTable);
        Livestreams = tables.GetTableClient(namePrefix + LivestreamsTable);
        Due = tables.GetTableClient(namePrefix + DueTable);
        Analytics = tables.GetTableClient(namePrefix + AnalyticsTable);
        TableClient[] all = [Sessions, Peers, Recordings, Artefacts, Livestreams, Due, Analytics];
        _created = new CreateOnce(ct => Task.WhenAll(all.Select(t => t.CreateIfNotExistsAsync(ct))));
    }

    internal TableClient Sessions { get; }
    internal TableClient Peers { get; }
    internal TableClient Recordings { get; }
    internal TableClient Artefacts { get; }
    internal TableClient Livestreams { get; }
    internal TableClient Due { get; }
    internal TableClient Analytics { get; }

    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => _created.EnsureAsync(cancellationToken);

    /// <summary>The org's own Blob container for post-meeting copies.</summary>
    public string OrgContainerName(Guid orgId) => _namePrefix + OrgContainerBaseName(orgId);

    /// <summary>The org's container without <c>Storage:NamePrefix</c> (as retention pointers name it).</summary>
    public static string OrgContainerBaseName(Guid orgId) => $"org-{orgId:N}";

    // ---- Keys

    public static string Org(Guid orgId) => orgId.ToString("D");

    public static string SessionRow(Guid meetingId, string rtkSessionId) => $"{meetingId:N}_{rtkSessionId}";

    public static string PeerRow(string rtkSessionId, string peerId) => $"{rtkSessionId}_{peerId}";

    public static string RecordingRow(Guid meetingId, string recordingId) => $"{meetingId:N}_{recordingId}";

    public static string ArtefactRow(Guid meetingId, string rtkSessionId, string kind) => $"{meetingId:N}_{rtkSessionId}_{kind}";

    public static string LivestreamRow(Guid meetingId, string streamId) => $"{meetingId:N}_{streamId}";

    public static string DueBucket(DateTimeOffset at)
    {
        var t = at.UtcDateTime;
        return new DateTime(t.Year, t.Month, t.Day, t.Hour, t.Minute / 5 * 5, 0, DateTimeKind.Utc).ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
    }

    public static string DueRow(SessionKey key) => $"{key.OrgId:N}_{key.MeetingId:N}_{key.RtkSessionId}";

    /// <summary>
    /// The Castio id of an RTK session: derived from it, so whichever event arrives first creates the same id
    /// (a UUID of version 8, the "custom" layout).
    /// </summary>
    public static Guid SessionId(Guid orgId, string rtkSessionId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{orgId:N}/{rtkSessionId}"), hash);
        var bytes = hash[..16].ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    // ---- Queries (for the post-meeting, analytics and diagnostics routes)

    public async Task<SessionEntity?> GetSessionAsync(SessionKey key, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        return (await Sessions.GetEntityIfExistsAsync<SessionEntity>(Org(key.OrgId), SessionRow(key.MeetingId, key.RtkSessionId), cancellationToken: cancellationToken)).ValueOrNull();
    }

    /// <summary>A meeting's sessions (any order; a meeting has few). Castio session ids are found by <see cref="FindSessionAsync"/>.</summary>
    public async Task<IReadOnlyList<SessionEntity>> ListSessionsAsync(Guid orgId, Guid meetingId, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        return await QueryPrefixAsync<SessionEntity>(Sessions, Org(orgId), $"{meetingId:N}_", cancellationToken);
    }

    /// <summary>A session by its Castio id or its RTK session id.</summary>
    public async Task<SessionEntity?> FindSessionAsync(Guid orgId, Guid meetingId, string sessionId, CancellationToken cancellationToken)
    {
        var sessions = await ListSessionsAsync(orgId, meetingId, cancellationToken);
        return sessions.FirstOrDefault(s => s.RtkSessionId == sessionId || s.Id.ToString("D") == sessionId);
    }

    /// <summary>The meeting's live session: started and not ended (the newest one if RTK left several open).</summary>
    public async Task<SessionEntity?> GetLiveSessionAsync(Guid orgId, Guid meetingId, CancellationToken cancellationToken) =>
        (await ListSessionsAsync(orgId, meetingId, cancellationToken)).Where(s => s.EndedAt is null).MaxBy(s => s.StartedAt);

    public async Task<IReadOnlyList<PeerEntity>> ListPeersAsync(SessionKey key, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        // The prefix could also match a session whose id extends this one's with "_": the row says whose it is.
        var rows = await QueryPrefixAsync<PeerEntity>(Peers, Org(key.OrgId), key.RtkSessionId + "_", cancellationToken);
        return [.. rows.Where(p => p.RtkSessionId == key.RtkSessionId)];
    }

    /// <summary>Merges facts into a peer's row (group-committed with the org's other peer facts).</summary>
    internal Task MergePeerAsync(Guid orgId, string rtkSessionId, string peerId, IEnumerable<KeyValuePair<string, object?>> values, CancellationToken cancellationToken) =>
        MergeAsync(Peers, Org(orgId), PeerRow(rtkSessionId, peerId),
            [new(nameof(PeerEntity.RtkSessionId), rtkSessionId), new(nameof(PeerEntity.PeerId), peerId), .. values], cancellationToken);

    /// <summary>The session with its participants and counts worked out from the peer facts.</summary>
    public async Task<SessionRecord?> GetSessionRecordAsync(SessionKey key, CancellationToken cancellationToken)
    {
        var session = await GetSessionAsync(key, cancellationToken);
        if (session is null) return null;
        var peers = await ListPeersAsync(key, cancellationToken);
        var artefacts = await ListArtefactsAsync(key, cancellationToken);
        var recordings = (await ListRecordingsAsync(key.OrgId, key.MeetingId, cancellationToken)).Where(r => r.RtkSessionId == key.RtkSessionId).ToList();
        return SessionRecord.From(session, peers, artefacts, recordings);
    }

    public async Task<IReadOnlyList<RecordingEntity>> ListRecordingsAsync(Guid orgId, Guid meetingId, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        return await QueryPrefixAsync<RecordingEntity>(Recordings, Org(orgId), $"{meetingId:N}_", cancellationToken);
    }

    public async Task<RecordingEntity?> GetRecordingAsync(Guid orgId, Guid meetingId, string recordingId, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        return (await Recordings.GetEntityIfExistsAsync<RecordingEntity>(Org(orgId), RecordingRow(meetingId, recordingId), cancellationToken: cancellationToken)).ValueOrNull();
    }

    /// <summary>Transcript, summary and chat rows of one session.</summary>
    public async Task<IReadOnlyList<ArtefactEntity>> ListArtefactsAsync(SessionKey key, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        return await QueryPrefixAsync<ArtefactEntity>(Artefacts, Org(key.OrgId), $"{key.MeetingId:N}_{key.RtkSessionId}_", cancellationToken);
    }

    /// <summary>Transcript, summary and chat rows of all of a meeting's sessions.</summary>
    public async Task<IReadOnlyList<ArtefactEntity>> ListMeetingArtefactsAsync(Guid orgId, Guid meetingId, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        return await QueryPrefixAsync<ArtefactEntity>(Artefacts, Org(orgId), $"{meetingId:N}_", cancellationToken);
    }

    public async Task<ArtefactEntity?> GetArtefactAsync(SessionKey key, string kind, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        return (await Artefacts.GetEntityIfExistsAsync<ArtefactEntity>(Org(key.OrgId), ArtefactRow(key.MeetingId, key.RtkSessionId, kind), cancellationToken: cancellationToken)).ValueOrNull();
    }

    public async Task<IReadOnlyList<LivestreamEntity>> ListLivestreamsAsync(Guid orgId, Guid meetingId, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        return await QueryPrefixAsync<LivestreamEntity>(Livestreams, Org(orgId), $"{meetingId:N}_", cancellationToken);
    }

    /// <summary>Daily totals of an org between two UTC days (inclusive), all meeting types.</summary>
    public async Task<IReadOnlyList<AnalyticsEntity>> ListDailyAnalyticsAsync(Guid orgId, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        var org = Org(orgId);
        var low = "d_" + from.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var high = "d_" + to.AddDays(1).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var rows = new List<AnalyticsEntity>();
        await foreach (var row in Analytics.QueryAsync<AnalyticsEntity>(RangeFilter(org, low, high), cancellationToken: cancellationToken))
            rows.Add(row);
        return rows;
    }

    internal static async Task<IReadOnlyList<T>> QueryPrefixAsync<T>(TableClient table, string partition, string prefix, CancellationToken cancellationToken)
        where T : class, ITableEntity, new()
    {
        var rows = new List<T>();
        await foreach (var row in table.QueryAsync<T>(RangeFilter(partition, prefix, TableKeys.PrefixEnd(prefix)), cancellationToken: cancellationToken))
            rows.Add(row);
        return rows;
    }

    /// <summary>
    /// Rows of a partition with <paramref name="low"/> ≤ row key &lt; <paramref name="high"/>, as a filter string: a LINQ
    /// filter would compile an expression (a dynamic method to JIT) on every call.
    /// </summary>
    internal static string RangeFilter(string partition, string low, string high) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {low} and RowKey lt {high}");

    /// <summary>
    /// Merges only the given properties into a row, creating it if absent (no ETag: disjoint facts commute). Blind merges
    /// commute, so a burst of them to one partition (an org's peers, its sessions) is group-committed.
    /// </summary>
    internal static async Task MergeAsync(TableClient table, string partition, string row, IEnumerable<KeyValuePair<string, object?>> values, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(partition, row);
        foreach (var (name, value) in values)
            if (value is not null) entity[name] = value;
        await Merges.SubmitAsync(table, new TableTransactionAction(TableTransactionActionType.UpsertMerge, entity), cancellationToken: cancellationToken);
    }

    /// <summary>Replaces (or inserts) a row, together with other writes to its partition.</summary>
    internal static Task UpsertAsync(TableClient table, ITableEntity entity, CancellationToken cancellationToken) =>
        Merges.SubmitAsync(table, new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity), cancellationToken: cancellationToken);

    private static readonly TableBatcher Merges = new();

    internal static bool IsConflict(RequestFailedException e) => e.Status is 409 or 412;
}

/// <summary>A participant of a session, peers of the same person (rejoins) folded together.</summary>
public sealed record SessionParticipant(string ParticipantId, string? Name, DateTimeOffset? JoinedAt, DateTimeOffset? LeftAt, long DurationSeconds, int Peers);

/// <summary>State of one artefact of a session, as the routes show it.</summary>
public sealed record ArtefactState(string Kind, string State, long? SizeBytes, string? Format);

/// <summary>A session worked out from its facts: the same facts in any order give the same record.</summary>
public sealed record SessionRecord(
    Guid Id, Guid MeetingId, string RtkSessionId, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, long? DurationSeconds,
    int LiveParticipants, int PeakParticipants, int TotalParticipants, double ParticipantMinutes,
    IReadOnlyList<SessionParticipant> Participants, IReadOnlyList<ArtefactState> Artefacts, DateTimeOffset? CompletedAt)
{
    public static SessionRecord From(SessionEntity s, IReadOnlyList<PeerEntity> peers, IReadOnlyList<ArtefactEntity> artefacts, IReadOnlyList<RecordingEntity> recordings)
    {
        var end = s.EndedAt;
        var participants = peers
            .GroupBy(p => p.ParticipantId ?? p.PeerId, StringComparer.Ordinal)
            .Select(g =>
            {
                var joined = g.Min(p => p.JoinedAt);
                DateTimeOffset? left = g.Any(p => p.LeftAt is null) && end is null ? null : g.Max(p => p.LeftAt ?? end);
                var seconds = g.Sum(p => PeerSeconds(p, end));
                return new SessionParticipant(g.Key, g.Select(p => p.Name).FirstOrDefault(n => n is not null), joined, left, seconds, g.Count());
            })
            .OrderBy(p => p.JoinedAt).ThenBy(p => p.ParticipantId, StringComparer.Ordinal)
            .ToList();
        var states = artefacts.OrderBy(a => a.Kind, StringComparer.Ordinal).Select(a => new ArtefactState(a.Kind, a.CopyState, a.StoredBytes, a.Format))
            .Concat(recordings.OrderBy(r => r.RecordingId, StringComparer.Ordinal).Select(r => new ArtefactState("recording:" + r.RecordingId,
                r.CopyState == CopyStates.Stored ? CopyStates.Stored : r.CopyState is CopyStates.Expired ? CopyStates.Expired : r.Status, r.StoredBytes, r.Format)))
            .ToList();
        long? duration = s.StartedAt is { } st && end is { } en ? (long)Math.Max(0, (en - st).TotalSeconds) : null;
        return new SessionRecord(s.Id, s.MeetingId, s.RtkSessionId, s.StartedAt, end, duration,
            peers.Count(p => p.LeftAt is null && end is null), Peak(peers, end), participants.Count,
            Math.Round(peers.Sum(p => PeerSeconds(p, end)) / 60.0, 3), participants, states, s.CompletedAt);
    }

    private static long PeerSeconds(PeerEntity p, DateTimeOffset? sessionEnd) =>
        p.JoinedAt is { } j && (p.LeftAt ?? sessionEnd) is { } l ? (long)Math.Max(0, (l - j).TotalSeconds) : 0;

    /// <summary>Most peers connected at once: a sweep over join (+1) and leave (−1) times; a leave at the same instant counts first.</summary>
    public static int Peak(IEnumerable<PeerEntity> peers, DateTimeOffset? sessionEnd)
    {
        var points = new List<(DateTimeOffset At, int Delta)>();
        foreach (var p in peers)
        {
            if (p.JoinedAt is not { } joined) continue;
            points.Add((joined, +1));
            if ((p.LeftAt ?? sessionEnd) is { } left) points.Add((left, -1));
        }
        var current = 0;
        var peak = 0;
        foreach (var (_, delta) in points.OrderBy(p => p.At).ThenBy(p => p.Delta))
        {
            current += delta;
            peak = Math.Max(peak, current);
        }
        return peak;
    }
}
