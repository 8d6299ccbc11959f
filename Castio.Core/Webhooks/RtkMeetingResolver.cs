using System.Collections.Concurrent;
using Castio.Core.Meetings;
using Castio.Core.PostMeeting;

namespace Castio.Core.Webhooks;

/// <summary>
/// RTK meeting id → the Castio meeting that owns it (org, id, type, permanence), cached: an RTK meeting never
/// changes owner, and a webhook burst of one meeting then costs one lookup. Unknown ids are not cached
/// (the index may be written a moment after RTK created the meeting).
/// </summary>
public sealed class RtkMeetingResolver(MeetingStore meetings, TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, (MeetingRef Meeting, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    public async Task<MeetingRef?> ResolveAsync(string rtkMeetingId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(rtkMeetingId, out var hit) && hit.Until > now) return hit.Meeting;
        var owner = await meetings.FindByRtkMeetingIdAsync(rtkMeetingId, cancellationToken);
        var entity = owner is null ? null : await meetings.GetAsync(owner.OrgId, owner.MeetingId, cancellationToken);
        if (entity is null) return null;
        var meeting = new MeetingRef(owner!.OrgId, owner.MeetingId, rtkMeetingId, entity.MeetingType, entity.IsPermanent);
        if (_cache.Count >= MaxEntries) _cache.Clear();
        _cache[rtkMeetingId] = (meeting, now + Lifetime);
        return meeting;
    }
}
