using Castio.Core.Auth;
using Castio.Core.Orgs;
using Castio.Core.Presets;

namespace Castio.Core.Joining;

/// <summary>
/// The preset a joining person gets. RTK has no per-meeting waiting-room switch: a participant waits when their
/// preset's <c>waiting_room_type</c> is not <c>SKIP</c>, until someone whose preset may accept waiting requests
/// admits them. So "guests wait when access is link_only" is a choice of preset: the resolver's guest preset when
/// it has a waiting room, else the most restricted Castio preset that has one.
/// </summary>
public static class JoinPresets
{
    /// <summary>
    /// Webinar and livestream guests resolve to a viewer preset, which skips the waiting room; <c>webinar_guest</c>
    /// (WEBINAR view, stage only on a request a host must accept) is the closest that waits. Castio has no
    /// livestream guest preset, so livestream link-only guests get it too.
    /// </summary>
    public const string WaitingGuestFallback = "webinar_guest";

    private const string Skip = "SKIP";

    public static bool TryParseType(string? meetingType, out MeetingType type)
    {
        type = meetingType switch
        {
            "video" => MeetingType.Video,
            "audio" => MeetingType.Audio,
            "webinar" => MeetingType.Webinar,
            "livestream" => MeetingType.Livestream,
            _ => (MeetingType)(-1),
        };
        return (int)type >= 0;
    }

    /// <summary>
    /// The role's preset, or its no-wait twin: members wait only when the meeting's waiting room is on, and hosts,
    /// admins and owners never wait (a host who did not create the meeting gets <c>*_participant</c>, so its twin).
    /// </summary>
    public static string ForMember(Role role, MeetingType type, bool isCreator, bool waitingRoomEnabled)
    {
        var preset = PresetResolver.Resolve((CastioRole)(int)role, type, isCreator);
        return waitingRoomEnabled && role < Role.Host ? preset : CastioPresets.NoWait(preset);
    }

    /// <summary>
    /// Link-only guests always wait; guests of an open meeting wait only when the meeting's waiting room is on
    /// (then as the resolver's preset has it: webinar and livestream audiences are viewers, who never wait).
    /// </summary>
    public static string ForGuest(MeetingType type, string effectiveGuestAccess, bool waitingRoomEnabled)
    {
        var preset = PresetResolver.Resolve(CastioRole.Guest, type, isCreator: false);
        if (effectiveGuestAccess != GuestAccess.LinkOnly)
        {
            return waitingRoomEnabled ? preset : CastioPresets.NoWait(preset);
        }

        if (HasWaitingRoom(preset))
        {
            return preset;
        }

        var guest = PresetResolver.Prefix(type) + "_guest";
        return HasWaitingRoom(guest) ? guest : WaitingGuestFallback;
    }

    public static bool HasWaitingRoom(string preset) =>
        CastioPresets.Exists(preset) && CastioPresets.Get(preset).Permissions.WaitingRoomType != Skip;
}
