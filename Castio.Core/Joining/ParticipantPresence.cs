using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Castio.Core.Joining;

/// <summary>
/// Keeps a participant's place in a meeting in step with their RTK connections (peers), from RTK's
/// <c>meeting.participantJoined</c> and <c>participantLeft</c>. A person holds a place while any of their peers is
/// connected: closing one of two tabs, or a refresh whose old connection's leave arrives after the new one joined,
/// keeps it; the leave of their last peer gives it back; a peer that joins while they hold none takes one again (RTK
/// already let them in, so no cap refuses it). The participant row holds it all (the counted RTK meeting, its open and
/// recently closed peers) and is changed only under its ETag, so duplicates, replays and any arrival order give the
/// same place, released or taken once.
/// </summary>
public sealed partial class ParticipantPresence(ParticipantStore store, ParticipantCounters counters, TimeProvider time, ILogger<ParticipantPresence> logger)
{
    private const int MaxAttempts = 5;

    /// <summary>
    /// A peer of the participant connected to <paramref name="rtkMeetingId"/>. <paramref name="customParticipantId"/> is
    /// RTK's <c>custom_participant_id</c>, which Castio sets to its participant id. Counts the person again if they hold
    /// no place there, unless <paramref name="sessionEnded"/> says the peer's session is over (a late delivery). The
    /// place counts from <paramref name="joinedAt"/> (RTK's time for the peer), so the end of its session gives it back.
    /// True when this call took a place.
    /// </summary>
    public Task<bool> JoinedAsync(
        Guid orgId, Guid meetingId, string rtkMeetingId, string? customParticipantId, string peerId, DateTimeOffset? joinedAt, Task<bool> sessionEnded,
        CancellationToken cancellationToken) =>
        Guid.TryParse(customParticipantId, out var participantId) && PeerSet.IsValidId(peerId)
            ? ChangeAsync(orgId, meetingId, participantId, async row =>
            {
                var peers = PeerSet.Of(row, rtkMeetingId);
                if (row.RemovedAt is not null || peers.IsClosed(peerId))
                {
                    return Change.None; // removed by a host, or this peer's leave came first
                }

                var count = row.CountedRtkMeetingId != rtkMeetingId;
                // A join delivered after its session ended is no connection any more: it neither counts nor stays open.
                if ((!peers.Open(peerId) && !count) || await sessionEnded)
                {
                    return Change.None;
                }

                peers.WriteTo(row);
                if (!count)
                {
                    return Change.Write;
                }

                row.CountedRtkMeetingId = rtkMeetingId;
                var at = joinedAt ?? time.GetUtcNow();
                row.LastJoinedAt = at > row.LastJoinedAt ? at : row.LastJoinedAt;
                return Change.Take;
            }, rtkMeetingId, cancellationToken)
            : Task.FromResult(false);

    /// <summary>
    /// A peer of the participant left <paramref name="rtkMeetingId"/>: gives the place back if it was their last open
    /// peer. True when this call released; false when nothing was released (not Castio's participant, counted in another
    /// RTK meeting, still connected through another peer, or already released).
    /// </summary>
    public Task<bool> LeftAsync(Guid orgId, Guid meetingId, string rtkMeetingId, string? customParticipantId, string peerId, CancellationToken cancellationToken) =>
        Guid.TryParse(customParticipantId, out var participantId) && PeerSet.IsValidId(peerId)
            ? ChangeAsync(orgId, meetingId, participantId, row =>
            {
                var peers = PeerSet.Of(row, rtkMeetingId);
                var changed = peers.Close(peerId);
                var release = row.CountedRtkMeetingId == rtkMeetingId && !peers.AnyOpen;
                if (!changed && !release)
                {
                    return Task.FromResult(Change.None);
                }

                peers.WriteTo(row);
                if (release)
                {
                    row.CountedRtkMeetingId = null;
                }

                return Task.FromResult(release ? Change.Release : Change.Write);
            }, rtkMeetingId, cancellationToken)
            : Task.FromResult(false);

    /// <summary>
    /// RTK's session in <paramref name="rtkMeetingId"/> ended at <paramref name="endedAt"/>, so nobody counted in it
    /// before then is still there: gives back the places whose leave never arrived (a lost webhook), which would
    /// otherwise stay taken for as long as the RTK meeting lives (a permanent room's: for ever). Someone counted after
    /// the end keeps their place. Returns how many places were given back.
    /// </summary>
    public async Task<int> SessionEndedAsync(Guid orgId, Guid meetingId, string rtkMeetingId, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        var released = 0;
        foreach (var listed in await store.ListAsync(orgId, meetingId, cancellationToken, countedIn: rtkMeetingId))
        {
            // The listed row (with its ETag) is decided on first; it is read again only if it changed since.
            ParticipantEntity? first = listed;
            var change = await ChangeAsync(orgId, async () => Interlocked.Exchange(ref first, null) ?? await store.GetRowAsync(orgId, listed.RowKey, cancellationToken), row =>
            {
                if (row.CountedRtkMeetingId != rtkMeetingId || CountedAt(row) > endedAt)
                {
                    return Task.FromResult(Change.None);
                }

                // The session's peers are gone with it; a late leave of one of them finds it closed.
                Vacate(row);
                return Task.FromResult(Change.Release);
            }, rtkMeetingId, cancellationToken);
            released += change ? 1 : 0;
        }

        return released;
    }

    /// <summary>
    /// Takes the row's place away, its open peers closed (a host removing the participant, or the end of the session):
    /// call before the row is saved under its ETag, then <see cref="GiveBackAsync"/> with what this returned once the
    /// save succeeded. Null if they held no place.
    /// </summary>
    public static string? Vacate(ParticipantEntity row)
    {
        if (row.CountedRtkMeetingId is not { } counted)
        {
            return null;
        }

        var peers = PeerSet.Of(row, counted);
        peers.CloseAll();
        peers.WriteTo(row);
        row.CountedRtkMeetingId = null;
        return counted;
    }

    /// <summary>Gives back in the counters the place <see cref="Vacate"/> took from the saved row.</summary>
    public Task GiveBackAsync(ParticipantEntity row, string? vacatedRtkMeetingId) =>
        vacatedRtkMeetingId is null ? Task.CompletedTask : counters.ReleaseAsync(row.OrgId, row.MeetingId, vacatedRtkMeetingId, row.IsGuest);

    /// <summary>The participant's open RTK peers in the RTK meeting they hold a place in.</summary>
    public static int Connections(ParticipantEntity row) =>
        row.CountedRtkMeetingId is { } counted ? PeerSet.Of(row, counted).OpenCount : 0;

    /// <summary>When the row was last counted: a join counts a person and stamps the time (a first join has only the first).</summary>
    private static DateTimeOffset CountedAt(ParticipantEntity row) => row.LastJoinedAt > row.FirstJoinedAt ? row.LastJoinedAt : row.FirstJoinedAt;

    private enum Change
    {
        None,
        Write,
        Take,
        Release,
    }

    private Task<bool> ChangeAsync(Guid orgId, Guid meetingId, Guid participantId, Func<ParticipantEntity, Task<Change>> decide, string rtkMeetingId, CancellationToken cancellationToken)
    {
        var key = (orgId, meetingId, participantId);
        return _strangers.ContainsKey(key) ? Task.FromResult(false) : ChangeAsync(orgId, async () =>
        {
            var row = await store.FindAsync(orgId, meetingId, participantId, cancellationToken);
            if (row is null)
            {
                if (_strangers.Count >= MaxStrangers)
                {
                    _strangers.Clear();
                }

                _strangers[key] = 0;
            }

            return row;
        }, decide, rtkMeetingId, cancellationToken, guess: store.Latest(orgId, meetingId, participantId));
    }

    // Peers whose custom participant id is no participant of the meeting (added to RTK by something else). Castio stores a
    // participant before RTK ever hears of its id, so an id unknown when RTK reports its peer stays unknown.
    private const int MaxStrangers = 10_000;
    private readonly ConcurrentDictionary<(Guid Org, Guid Meeting, Guid Participant), byte> _strangers = new();

    /// <summary>
    /// Reads the row, lets <paramref name="decide"/> change it, and writes it under its ETag; only the write that takes or
    /// gives back the place changes the counters. A place is taken in the counters before the row says so (a crash in
    /// between leaves one place taken, never one person uncounted) and given back after the row (never twice).
    /// </summary>
    /// <param name="guess">
    /// The row as this process last saw it, tried before reading (a person's leave after their join through this
    /// instance then costs no read): a write under a stale ETag fails and the row is read. A decision to change nothing
    /// is only ever taken on a row just read.
    /// </param>
    private async Task<bool> ChangeAsync(
        Guid orgId, Func<Task<ParticipantEntity?>> read, Func<ParticipantEntity, Task<Change>> decide, string rtkMeetingId, CancellationToken cancellationToken,
        ParticipantEntity? guess = null)
    {
        ParticipantEntity? row = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var guessed = attempt == 0 ? guess : null;
            row = guessed ?? await read();
            if (row is null)
            {
                return false;
            }

            var change = await decide(row);
            if (change == Change.None && guessed is not null)
            {
                row = await read();
                if (row is null)
                {
                    return false;
                }

                change = await decide(row);
            }

            if (change == Change.None)
            {
                return false;
            }

            if (change == Change.Take)
            {
                // Already in RTK: counted whatever the caps say.
                await counters.AdmitAsync(orgId, row.MeetingId, rtkMeetingId, row.IsGuest, int.MaxValue, int.MaxValue);
            }

            if (await store.SaveAsync(row, cancellationToken))
            {
                if (change == Change.Release)
                {
                    await counters.ReleaseAsync(orgId, row.MeetingId, rtkMeetingId, row.IsGuest);
                }

                return change is Change.Take or Change.Release;
            }

            if (change == Change.Take)
            {
                await counters.ReleaseAsync(orgId, row.MeetingId, rtkMeetingId, row.IsGuest);
            }

            // The row changed since it was read (a join of the same person, another peer, or another copy of this fact): decide again.
        }

        LogContended(logger, row!.MeetingId, row.ParticipantId);
        throw new InvalidOperationException("The participant row kept changing; the peer's fact was not applied.");
    }

    [LoggerMessage(EventId = 5102, EventName = "PresenceContended", Level = LogLevel.Warning,
        Message = "Could not apply a peer's fact to participant {ParticipantId} in meeting {MeetingId}: its row kept changing")]
    private static partial void LogContended(ILogger logger, Guid meetingId, Guid participantId);
}

/// <summary>
/// A participant's peers in one RTK meeting, as stored on their row: the open ones, and the last closed ones (so a
/// join delivered after its own leave does not reopen the peer). Bounded: a participant has a handful of tabs.
/// </summary>
internal sealed class PeerSet
{
    private const int MaxOpen = 16, MaxClosed = 32;
    private readonly List<string> _open, _closed;
    private readonly string _rtkMeetingId;

    private PeerSet(string rtkMeetingId, List<string> open, List<string> closed) => (_rtkMeetingId, _open, _closed) = (rtkMeetingId, open, closed);

    /// <summary>The row's peers in <paramref name="rtkMeetingId"/>; none when the row's peers are of another RTK meeting.</summary>
    public static PeerSet Of(ParticipantEntity row, string rtkMeetingId) => row.PeersRtkMeetingId == rtkMeetingId
        ? new(rtkMeetingId, Split(row.OpenPeers), Split(row.ClosedPeers))
        : new(rtkMeetingId, [], []);

    public bool AnyOpen => _open.Count > 0;

    public int OpenCount => _open.Count;

    /// <summary>Ids are stored space-separated: RTK's peer ids are UUIDs; anything else is not tracked.</summary>
    public static bool IsValidId(string peerId) => peerId.Length is > 0 and <= 64 && !peerId.Contains(' ', StringComparison.Ordinal);

    public bool IsClosed(string peerId) => _closed.Contains(peerId, StringComparer.Ordinal);

    /// <summary>Marks the peer open; false if it already was.</summary>
    public bool Open(string peerId)
    {
        if (_open.Contains(peerId, StringComparer.Ordinal))
        {
            return false;
        }

        _open.Add(peerId);
        if (_open.Count > MaxOpen)
        {
            _open.RemoveAt(0);
        }

        return true;
    }

    /// <summary>Marks the peer closed; false if it already was.</summary>
    public bool Close(string peerId)
    {
        _open.Remove(peerId);
        if (IsClosed(peerId))
        {
            return false;
        }

        _closed.Add(peerId);
        if (_closed.Count > MaxClosed)
        {
            _closed.RemoveAt(0);
        }

        return true;
    }

    public void CloseAll()
    {
        foreach (var peer in _open.ToList())
        {
            Close(peer);
        }
    }

    public void WriteTo(ParticipantEntity row)
    {
        row.PeersRtkMeetingId = _rtkMeetingId;
        row.OpenPeers = _open.Count == 0 ? null : string.Join(' ', _open);
        row.ClosedPeers = _closed.Count == 0 ? null : string.Join(' ', _closed);
    }

    private static List<string> Split(string? peers) => peers is null ? [] : [.. peers.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
}
