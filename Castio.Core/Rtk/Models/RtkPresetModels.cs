namespace Castio.Core.Rtk;

// Presets. Name, config, permissions and ui are all required on create.

public static class RtkViewTypes
{
    public const string GroupCall = "GROUP_CALL"; public const string Webinar = "WEBINAR";
    public const string AudioRoom = "AUDIO_ROOM"; public const string Livestream = "LIVESTREAM";
}
public static class RtkProduce { public const string Allowed = "ALLOWED"; public const string NotAllowed = "NOT_ALLOWED"; public const string CanRequest = "CAN_REQUEST"; }

public sealed record RtkPreset
{
    public string? Id { get; init; }
    public required string Name { get; init; }
    public required RtkPresetConfig Config { get; init; }
    public required RtkPresetPermissions Permissions { get; init; }
    public required RtkPresetUi Ui { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>List items are summaries; GET one preset for its config and permissions.</summary>
public sealed record RtkPresetSummary
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>PATCH body: any subset.</summary>
public sealed record RtkPresetUpdate
{
    public string? Name { get; init; }
    public RtkPresetConfig? Config { get; init; }
    public RtkPresetPermissions? Permissions { get; init; }
    public RtkPresetUi? Ui { get; init; }
}

public sealed record RtkPresetConfig
{
    public required string ViewType { get; init; }
    public required int MaxScreenshareCount { get; init; }
    public required RtkMaxVideoStreams MaxVideoStreams { get; init; }
    public required RtkPresetMedia Media { get; init; }
    public List<int>? LivestreamViewerQualities { get; init; }
}
public sealed record RtkMaxVideoStreams(int Desktop, int Mobile);
public sealed record RtkPresetMedia
{
    public required RtkMediaQuality Video { get; init; }
    public required RtkMediaQuality Screenshare { get; init; }
}
public sealed record RtkMediaQuality
{
    public required string Quality { get; init; }
    public required int FrameRate { get; init; }
    public bool? Simulcast { get; init; }
}

public sealed record RtkPresetPermissions
{
    public required bool AcceptWaitingRequests { get; init; }
    public required bool CanAcceptProductionRequests { get; init; }
    public required bool CanChangeParticipantPermissions { get; init; }
    public required bool CanEditDisplayName { get; init; }
    public required bool CanLivestream { get; init; }
    public required bool CanRecord { get; init; }
    public required bool CanSpotlight { get; init; }
    public required bool DisableParticipantAudio { get; init; }
    public required bool DisableParticipantVideo { get; init; }
    public required bool DisableParticipantScreensharing { get; init; }
    public required bool HiddenParticipant { get; init; }
    public required bool KickParticipant { get; init; }
    public required bool PinParticipant { get; init; }
    public required bool ShowParticipantList { get; init; }
    public bool? IsRecorder { get; init; }
    public string? RecorderType { get; init; }
    public required string WaitingRoomType { get; init; }
    public bool? StageEnabled { get; init; }
    public string? StageAccess { get; init; }
    public bool? AcceptStageRequests { get; init; }
    public bool? TranscriptionEnabled { get; init; }
    public required RtkMediaPermissions Media { get; init; }
    public required RtkChatPermissions Chat { get; init; }
    public required RtkPollPermissions Polls { get; init; }
    public required RtkPluginPermissions Plugins { get; init; }
    public required RtkConnectedMeetingPermissions ConnectedMeetings { get; init; }
}
public sealed record RtkMediaPermissions(RtkCanProduce Audio, RtkCanProduce Video, RtkCanProduce Screenshare);
public sealed record RtkCanProduce(string CanProduce);
public sealed record RtkChatPermissions(RtkPublicChat Public, RtkPrivateChat Private);
public sealed record RtkPublicChat(bool CanSend, bool Text, bool Files);
public sealed record RtkPrivateChat(bool CanSend, bool CanReceive, bool Text, bool Files);
public sealed record RtkPollPermissions(bool CanCreate, bool CanVote, bool CanView);
public sealed record RtkPluginPermissions
{
    public required bool CanStart { get; init; }
    public required bool CanClose { get; init; }
    public required bool CanEditConfig { get; init; }
    /// <summary>Keyed by plugin UUID (older RTK schemas had one object).</summary>
    public Dictionary<string, RtkPluginAccess> Config { get; init; } = [];
}
public sealed record RtkPluginAccess
{
    public required string AccessControl { get; init; }
    public bool? HandlesViewOnly { get; init; }
}
public sealed record RtkConnectedMeetingPermissions(bool CanAlterConnectedMeetings, bool CanSwitchConnectedMeetings, bool CanSwitchToParentMeeting);

public sealed record RtkPresetUi(RtkDesignTokens DesignTokens);
public sealed record RtkDesignTokens
{
    public string? Theme { get; init; }
    public string? BorderRadius { get; init; }
    public string? BorderWidth { get; init; }
    public int? SpacingBase { get; init; }
    public string? Logo { get; init; }
    public string? FontFamily { get; init; }
    public string? GoogleFont { get; init; }
    public RtkColors? Colors { get; init; }
}
public sealed record RtkColors
{
    public Dictionary<string, string>? Brand { get; init; }
    public Dictionary<string, string>? Background { get; init; }
    public string? Danger { get; init; }
    public string? Success { get; init; }
    public string? Warning { get; init; }
    public string? Text { get; init; }
    public string? TextOnBrand { get; init; }
    public string? VideoBg { get; init; }
}
