namespace Castio.Core.Presets;

/// <summary>Platform roles; the value is the rank, so a higher role outranks every lower one.</summary>
public enum CastioRole { Guest = 1, Member = 2, Host = 3, Admin = 4, Owner = 5 }

/// <summary>Meeting types; the preset name prefix is the lower-case name.</summary>
public enum MeetingType { Video, Audio, Webinar, Livestream }

/// <summary>Role → RTK preset at join time (docs/realtimekit.md, Castio's presets).</summary>
public static class PresetResolver
{
    public static string Resolve(CastioRole role, MeetingType meetingType, bool isCreator)
    {
        var prefix = Prefix(meetingType);
        return role switch
        {
            CastioRole.Owner or CastioRole.Admin => $"{prefix}_host",
            CastioRole.Host => isCreator ? $"{prefix}_host" : $"{prefix}_participant",
            CastioRole.Guest => meetingType is MeetingType.Webinar or MeetingType.Livestream ? $"{prefix}_viewer" : $"{prefix}_guest",
            CastioRole.Member => $"{prefix}_participant",
            _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role."),
        };
    }

    public static string Prefix(MeetingType meetingType) => meetingType switch
    {
        MeetingType.Video => "video",
        MeetingType.Audio => "audio",
        MeetingType.Webinar => "webinar",
        MeetingType.Livestream => "livestream",
        _ => throw new ArgumentOutOfRangeException(nameof(meetingType), meetingType, "Unknown meeting type."),
    };
}
