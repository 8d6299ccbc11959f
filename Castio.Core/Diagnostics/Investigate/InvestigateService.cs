using System.Collections.Concurrent;
using Castio.Core.Auth;
using Castio.Core.Common;
using Castio.Core.Diagnostics.Verdicts;
using Castio.Core.Joining;
using Castio.Core.Meetings;
using Castio.Core.Orgs;
using Castio.Core.PostMeeting;
using Castio.Core.Rtk;
using Castio.Core.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Core.Diagnostics.Investigate;

public sealed record InvestigatedSession(
    Guid Id, string RtkSessionId, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, long? DurationSeconds, int PeakParticipants,
    int CastioParticipants, string? RtkStatus, int? RtkParticipants);

public sealed record InvestigatedConnection(
    string RtkSessionId, string PeerId, DateTimeOffset? JoinedAt, DateTimeOffset? LeftAt, long? DurationSeconds, string Source,
    DeviceView? Device, NetworkView? Network, QualityView? Quality);

public sealed record InvestigatedParticipant(
    string ParticipantId, string? Name, bool? IsGuest, string? Role, string? PresetName, DateTimeOffset? RemovedAt,
    IReadOnlyList<TokenIssue> Tokens, IReadOnlyList<InvestigatedConnection> Connections);

/// <summary>One join answer that handed out an RTK token: when, how it was obtained (added, refreshed, reused), for which preset.</summary>
public sealed record TokenIssue(DateTimeOffset At, string EventType, string TokenSource, string PresetName, string? RtkParticipantId);

/// <summary>
/// Everything about one meeting in one answer, ending with verdicts. <see cref="Partial"/> is true when RTK could not be
/// asked for something; <see cref="Notes"/> say what is missing.
/// </summary>
public sealed record InvestigationReport(
    Guid MeetingId, string Title, string Status, string? RtkMeetingId, DateTimeOffset GeneratedAt, bool Partial, IReadOnlyList<string> Notes,
    IReadOnlyList<InvestigatedSession> Sessions, IReadOnlyList<InvestigatedParticipant> Participants, IReadOnlyList<WebhookDeliveryView> Webhooks,
    IReadOnlyList<Verdict> Verdicts);

/// <summary>
/// The "never need a screenshare" investigation: Castio's record (sessions, peers, token issuance, webhook deliveries)
/// joined with what RTK knows (its sessions, their participants, each peer's report), then judged by
/// <see cref="VerdictRules"/>. RTK is asked with bounded fan-out; anything it cannot answer leaves a note, not an error.
/// </summary>
public sealed class InvestigateService(
    MeetingStore meetings, PostMeetingStore store, ParticipantStore participants, WebhookLedger ledger, OrgStore orgs, RtkClient rtk, TimeProvider time)
{
    public const int MaxSessions = 10;
    public const int MaxPeerReports = 60;
    public const int PeerReportConcurrency = 4;
    public const int MaxWebhooks = 300;

    /// <summary>All RTK calls of one investigation share this budget; what is not answered by then is left out and noted.</summary>
    public static readonly TimeSpan RtkBudget = TimeSpan.FromSeconds(10);

    private static readonly string[] ReportFilters =
        [RtkPeerReportFilters.DeviceInfo, RtkPeerReportFilters.IpInformation, RtkPeerReportFilters.PrecallNetworkInformation, RtkPeerReportFilters.QualityStats];

    public async Task<Outcome<InvestigationReport>> InvestigateAsync(CurrentUser caller, Guid meetingId, CancellationToken cancellationToken)
    {
        var meeting = await meetings.GetAsync(caller.OrgId, meetingId, cancellationToken);
        if (meeting is null) return new Error(ErrorKind.NotFound, MeetingErrors.NotFound, "No such meeting.");
        var now = time.GetUtcNow();
        var notes = new ConcurrentQueue<string>();

        // Castio's own record.
        var sessions = (await store.ListSessionsAsync(caller.OrgId, meetingId, cancellationToken))
            .OrderByDescending(s => s.StartedAt ?? s.EndedAt).Take(MaxSessions).ToList();
        var peersBySession = new Dictionary<string, IReadOnlyList<PeerEntity>>(StringComparer.Ordinal);
        foreach (var s in sessions) peersBySession[s.RtkSessionId] = await store.ListPeersAsync(s.Key, cancellationToken);
        var people = await participants.ListAsync(caller.OrgId, meetingId, cancellationToken);
        var events = await participants.ListEventsAsync(caller.OrgId, meetingId, cancellationToken);
        var firstStart = sessions.Min(s => s.StartedAt)?.AddDays(-1) ?? now;
        var since = Max(now.AddDays(-WebhookDiagnostics.MaxWindowDays + 1), firstStart < now.AddDays(-7) ? firstStart : now.AddDays(-7));
        var deliveries = await ledger.ListAsync(caller.OrgId, since, now, MaxWebhooks, meetingId: meetingId, cancellationToken: cancellationToken);

        // What RTK knows: its sessions of the meeting's RTK meetings, their peers, and each peer's report.
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(RtkBudget);
        var rtkToken = budget.Token;
        var appId = (await orgs.GetAsync(caller.OrgId, cancellationToken))?.RtkAppId ?? "";
        var rtkMeetingIds = sessions.Select(s => s.RtkMeetingId).Append(meeting.RtkMeetingId).OfType<string>().Where(id => id.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var rtkSessions = new Dictionary<string, RtkSession>(StringComparer.Ordinal);
        foreach (var rtkMeetingId in rtkMeetingIds)
        {
            var page = await AskRtk(notes, $"RTK's sessions of meeting {rtkMeetingId}",
                () => rtk.Sessions.ListAsync(appId, new RtkSessionListQuery { AssociatedId = rtkMeetingId, PerPage = MaxSessions, SortBy = "createdAt", SortOrder = "DESC" }, rtkToken), cancellationToken);
            foreach (var s in page?.Items ?? []) rtkSessions.TryAdd(s.Id, s);
        }
        var sessionIds = sessions.Select(s => s.RtkSessionId).Concat(rtkSessions.Keys).Distinct(StringComparer.Ordinal).Take(MaxSessions).ToList();
        var rtkPeers = new Dictionary<string, IReadOnlyList<RtkSessionPeer>>(StringComparer.Ordinal);
        foreach (var sid in sessionIds)
        {
            var page = await AskRtk(notes, $"RTK's participants of session {sid}",
                () => rtk.Sessions.ListParticipantsAsync(appId, sid, new RtkSessionParticipantsQuery { PerPage = 100 }, rtkToken), cancellationToken);
            if (page is not null) rtkPeers[sid] = page.Items;
        }

        // Connections: Castio's peers and RTK's, one per peer id.
        var connections = new Dictionary<string, (string Session, string PeerId, string? Participant, string? Name, DateTimeOffset? Joined, DateTimeOffset? Left, string Source)>(StringComparer.Ordinal);
        foreach (var (sid, peers) in peersBySession)
            foreach (var p in peers) connections[p.PeerId] = (sid, p.PeerId, p.ParticipantId, p.Name, p.JoinedAt, p.LeftAt, "webhook");
        foreach (var (sid, peers) in rtkPeers)
        {
            foreach (var p in peers)
            {
                if (connections.TryGetValue(p.Id, out var known))
                    connections[p.Id] = known with { Joined = known.Joined ?? p.JoinedAt, Left = known.Left ?? p.LeftAt, Name = known.Name ?? p.DisplayName, Participant = known.Participant ?? p.CustomParticipantId };
                else
                    connections[p.Id] = (sid, p.Id, p.CustomParticipantId, p.DisplayName, p.JoinedAt, p.LeftAt, "rtk");
            }
        }

        var reports = new ConcurrentDictionary<string, PeerReportSummary>(StringComparer.Ordinal);
        var wanted = connections.Values.OrderByDescending(c => c.Joined).Take(MaxPeerReports).Select(c => c.PeerId).ToList();
        if (connections.Count > MaxPeerReports) notes.Enqueue($"Peer reports read for the {MaxPeerReports} latest of {connections.Count} connections.");
        await Parallel.ForEachAsync(wanted, new ParallelOptions { MaxDegreeOfParallelism = PeerReportConcurrency, CancellationToken = cancellationToken }, async (peerId, ct) =>
        {
            var report = await AskRtk(notes, $"RTK's peer report of {peerId}", () => rtk.Sessions.GetPeerReportAsync(appId, peerId, ReportFilters, cancellationToken: rtkToken), cancellationToken);
            if (report is not null) reports[peerId] = PeerReportReader.Read(report.PeerReport);
        });

        // Assemble per person (Castio's participant id, RTK's custom participant id).
        var byPerson = connections.Values.GroupBy(c => c.Participant ?? "peer:" + c.PeerId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var rows = people.ToDictionary(p => p.ParticipantId.ToString("D"), StringComparer.Ordinal);
        var tokens = events.GroupBy(e => e.ParticipantId.ToString("D"), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.OrderBy(e => e.At).ToList(), StringComparer.Ordinal);
        var ids = rows.Keys.Concat(byPerson.Keys).Concat(tokens.Keys).Distinct(StringComparer.Ordinal).ToList();
        var investigated = new List<InvestigatedParticipant>();
        var verdictPeople = new List<ParticipantFacts>();
        foreach (var id in ids)
        {
            rows.TryGetValue(id, out var row);
            var mine = byPerson.GetValueOrDefault(id) ?? [];
            var issued = tokens.GetValueOrDefault(id) ?? [];
            var name = row?.DisplayName ?? mine.Select(c => c.Name).FirstOrDefault(n => n is not null);
            investigated.Add(new InvestigatedParticipant(id, name, row?.IsGuest, row?.Role, row?.PresetName, row?.RemovedAt,
                [.. issued.Select(e => new TokenIssue(e.At, e.EventType, e.TokenSource, e.PresetName, e.RtkParticipantId))],
                [.. mine.OrderBy(c => c.Joined).Select(c =>
                {
                    var report = reports.GetValueOrDefault(c.PeerId);
                    long? seconds = c.Joined is { } j && c.Left is { } l ? (long)Math.Max(0, (l - j).TotalSeconds) : null;
                    return new InvestigatedConnection(c.Session, c.PeerId, c.Joined, c.Left, seconds, c.Source, report?.Device, report?.Network, report?.Quality);
                })]));
            verdictPeople.Add(new ParticipantFacts(id, name, issued.Count,
                [.. mine.Where(c => c.Joined is not null).Select(c => new ConnectionFacts(c.Session, c.PeerId, c.Joined!.Value, c.Left, reports.GetValueOrDefault(c.PeerId)?.ForVerdicts))]));
        }

        var sessionRows = new List<InvestigatedSession>();
        var verdictSessions = new List<SessionFacts>();
        foreach (var sid in sessionIds)
        {
            var castio = sessions.FirstOrDefault(s => s.RtkSessionId == sid);
            rtkSessions.TryGetValue(sid, out var fromRtk);
            var peers = peersBySession.GetValueOrDefault(sid) ?? [];
            var castioPeople = peers.Select(p => p.ParticipantId ?? p.PeerId).Distinct(StringComparer.Ordinal).Count();
            int? rtkPeople = rtkPeers.TryGetValue(sid, out var rp) ? rp.Select(p => p.CustomParticipantId ?? p.UserId ?? p.Id).Distinct(StringComparer.Ordinal).Count() : null;
            var started = castio?.StartedAt ?? fromRtk?.StartedAt;
            var ended = castio?.EndedAt;
            long? duration = started is { } st && ended is { } en ? (long)Math.Max(0, (en - st).TotalSeconds) : null;
            sessionRows.Add(new InvestigatedSession(castio?.Id ?? PostMeetingStore.SessionId(caller.OrgId, sid), sid, started, ended, duration,
                castio is null ? fromRtk?.MaxConcurrentParticipants ?? 0 : SessionRecord.Peak(peers, ended), castioPeople, fromRtk?.Status, rtkPeople));
            verdictSessions.Add(new SessionFacts(sid, started, ended, castioPeople, rtkPeople,
                fromRtk?.Status is { } status ? status == RtkSessionStatusValues.Ended : null));
        }

        var webhookViews = deliveries.Select(WebhookDeliveryView.From).ToList();
        var verdicts = VerdictRules.Evaluate(new VerdictInput(verdictSessions, verdictPeople,
            [.. deliveries.Select(d => new DeliveryFacts(d.Event, d.Status, d.RtkSessionId, d.ReceivedAt))]));
        var noteList = notes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new InvestigationReport(meeting.Id, meeting.Title, meeting.Status, meeting.RtkMeetingId, now, noteList.Count > 0, noteList,
            sessionRows, investigated, webhookViews, verdicts);
    }

    /// <summary>One RTK call; a failure (RTK down, refused, not found, out of time) becomes a note and a null.</summary>
    private static async Task<T?> AskRtk<T>(ConcurrentQueue<string> notes, string what, Func<Task<T>> call, CancellationToken request) where T : class
    {
        try
        {
            return await call();
        }
        catch (OperationCanceledException) when (!request.IsCancellationRequested)
        {
            notes.Enqueue($"{what}: RTK did not answer within {RtkBudget.TotalSeconds:0} s.");
            return null;
        }
        catch (HttpRequestException)
        {
            notes.Enqueue($"{what}: unavailable (RTK unreachable).");
            return null;
        }
        catch (RtkException e)
        {
            notes.Enqueue($"{what}: unavailable ({(e.Status is { } s ? ((int)s).ToString(System.Globalization.CultureInfo.InvariantCulture) : e.IsUnavailable ? "RTK unreachable" : "error")}).");
            return null;
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}

public static class InvestigateServiceCollectionExtensions
{
    /// <summary>The investigation, active meetings and the webhook ledger views (diagnostics routes other than health and phone-home).</summary>
    public static IServiceCollection AddInvestigate(this IServiceCollection services) =>
        services.AddTransient<InvestigateService>().AddTransient<WebhookDiagnostics>().AddTransient<ActiveMeetings>();
}
