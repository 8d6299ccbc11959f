using Castio.Core.Auth;
using Castio.Core.Common;
using Castio.Core.Meetings;
using Castio.Core.Orgs;
using Castio.Core.Rtk;

namespace Castio.Core.Diagnostics.Investigate;

public static class ActiveMeetingsErrors
{
    public const string RtkUnavailable = "diagnostics.rtk_unavailable";
}

/// <summary>A live session: the Castio meeting it belongs to (null when Castio does not know the RTK meeting) and who is in it now.</summary>
public sealed record ActiveMeetingView(
    Guid? MeetingId, string? Title, string? MeetingType, Guid? HostUserId, string RtkMeetingId, string RtkSessionId,
    DateTimeOffset? StartedAt, int LiveParticipants, int? PeakParticipants);

public sealed record ActiveMeetingList(IReadOnlyList<ActiveMeetingView> Items, int LiveParticipants);

/// <summary>
/// The org's live meetings with participant counts. RTK is the source of truth for what is live: its LIVE sessions of
/// the org's app (paged, no Castio table scanned), each mapped to its Castio meeting through the RTK-id index.
/// </summary>
public sealed class ActiveMeetings(OrgStore orgs, MeetingStore meetings, RtkClient rtk)
{
    public const int PageSize = 100;
    public const int MaxPages = 10;

    public async Task<Outcome<ActiveMeetingList>> ListAsync(CurrentUser caller, CancellationToken cancellationToken)
    {
        var appId = (await orgs.GetAsync(caller.OrgId, cancellationToken))?.RtkAppId ?? "";
        var live = new List<RtkSession>();
        try
        {
            for (var page = 1; page <= MaxPages; page++)
            {
                var result = await rtk.Sessions.ListAsync(appId, new RtkSessionListQuery { Status = RtkSessionStatusValues.Live, PageNo = page, PerPage = PageSize }, cancellationToken);
                live.AddRange(result.Items);
                if (result.Items.Count < PageSize || (result.Paging is { } p && p.EndOffset >= p.TotalCount)) break;
            }
        }
        catch (RtkException e) when (e.IsUnavailable)
        {
            return new Error(ErrorKind.Unavailable, ActiveMeetingsErrors.RtkUnavailable, "RealtimeKit is not reachable; live meetings are unknown right now.", RetryAfter: e.RetryAfter ?? TimeSpan.FromSeconds(30));
        }

        var items = new List<ActiveMeetingView>();
        foreach (var chunk in live.Chunk(16))
        {
            var owners = await Task.WhenAll(chunk.Select(async s =>
            {
                var owner = s.AssociatedId is { Length: > 0 } id ? await meetings.FindByRtkMeetingIdAsync(id, cancellationToken) : null;
                // Only this org's meetings: the index says whose RTK meeting it is.
                var meeting = owner is not null && owner.OrgId == caller.OrgId ? await meetings.GetAsync(owner.OrgId, owner.MeetingId, cancellationToken) : null;
                return (Session: s, Meeting: meeting);
            }));
            items.AddRange(owners.Select(x => new ActiveMeetingView(x.Meeting?.Id, x.Meeting?.Title, x.Meeting?.MeetingType, x.Meeting?.HostId,
                x.Session.AssociatedId ?? "", x.Session.Id, x.Session.StartedAt, x.Session.LiveParticipants ?? 0, x.Session.MaxConcurrentParticipants)));
        }
        var ordered = items.OrderByDescending(i => i.LiveParticipants).ThenBy(i => i.StartedAt).ToList();
        return new ActiveMeetingList(ordered, ordered.Sum(i => i.LiveParticipants));
    }
}
