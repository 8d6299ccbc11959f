using Castio.Core.Rtk;

namespace Castio.Core.Presets;

/// <summary>
/// Castio's RTK presets, as data: video, audio and livestream × host/participant plus guest or
/// viewer, and webinar × all four — thirteen names (docs/realtimekit.md, Castio's presets) — plus a
/// no-wait twin of each <c>*_participant</c> and <c>*_guest</c> (<c>*_participant_nowait</c>, <c>*_guest_nowait</c>).
/// Choices the product design leaves open are made here and nowhere else:
/// <list type="bullet">
/// <item><c>plugins.config</c> is an empty map: the current schema keys it by plugin UUID, a single
/// object is the older shape, and Castio ships no plugins.</item>
/// <item>Livestream presets use <c>WEBINAR</c> view type, as designed against the older schema, though the current API also knows <c>LIVESTREAM</c>.</item>
/// <item><c>webinar_guest</c> has no configuration in the design; it is the webinar participant (may request the stage)
/// with the video guest's restrictions (no pinning, no breakout switching).</item>
/// <item>RTK has no per-meeting waiting-room switch, only the preset's <c>waiting_room_type</c>; so a meeting whose
/// waiting room is off gives members <c>*_participant_nowait</c> (the participant with <c>SKIP</c>), and guests of an
/// open meeting <c>*_guest_nowait</c>.</item>
/// </list>
/// </summary>
public static class CastioPresets
{
    public static RtkPresetUi Ui { get; } = new(new RtkDesignTokens
    {
        Theme = "dark",
        BorderRadius = "rounded",
        BorderWidth = "thin",
        SpacingBase = 4,
        Logo = "",
        Colors = new RtkColors
        {
            Brand = new() { ["300"] = "#844d1c", ["400"] = "#9d5b22", ["500"] = "#b56927", ["600"] = "#d37c30", ["700"] = "#d9904f" },
            Background = new() { ["600"] = "#222222", ["700"] = "#1f1f1f", ["800"] = "#1b1b1b", ["900"] = "#181818", ["1000"] = "#141414" },
            Text = "#EEEEEE",
            TextOnBrand = "#EEEEEE",
            Danger = "#FF2D2D",
            Success = "#62A504",
            Warning = "#FFCD07",
            VideoBg = "#191919",
        },
    });

    private static RtkPresetConfig Config(string viewType) => new()
    {
        ViewType = viewType,
        MaxVideoStreams = new RtkMaxVideoStreams(25, 6),
        MaxScreenshareCount = 1,
        Media = new RtkPresetMedia
        {
            Video = new RtkMediaQuality { Quality = "hd", FrameRate = 30 },
            Screenshare = new RtkMediaQuality { Quality = "hd", FrameRate = 15 },
        },
    };

    private static RtkMediaPermissions Media(string audio, string video, string screenshare) =>
        new(new RtkCanProduce(audio), new RtkCanProduce(video), new RtkCanProduce(screenshare));

    private const string A = RtkProduce.Allowed, N = RtkProduce.NotAllowed, R = RtkProduce.CanRequest;

    /// <summary>Every *_host: full meeting control; skips the waiting room.</summary>
    private static RtkPresetPermissions Host(RtkMediaPermissions media, bool canLivestream) => new()
    {
        Media = media,
        KickParticipant = true, PinParticipant = true, CanSpotlight = true,
        DisableParticipantAudio = true, DisableParticipantVideo = true, DisableParticipantScreensharing = true,
        AcceptWaitingRequests = true, CanAcceptProductionRequests = true, CanChangeParticipantPermissions = true,
        CanRecord = true, CanLivestream = canLivestream, CanEditDisplayName = true,
        ShowParticipantList = true, HiddenParticipant = false,
        // Hosts never wait: they are the ones who admit people from the waiting room.
        WaitingRoomType = "SKIP", RecorderType = "NONE", IsRecorder = false,
        Chat = new RtkChatPermissions(new RtkPublicChat(true, true, true), new RtkPrivateChat(true, true, true, true)),
        Polls = new RtkPollPermissions(true, true, true),
        Plugins = new RtkPluginPermissions { CanStart = true, CanClose = true, CanEditConfig = true },
        ConnectedMeetings = new RtkConnectedMeetingPermissions(true, true, true),
    };

    /// <summary>*_participant: media, chat, votes; no host controls.</summary>
    private static RtkPresetPermissions Participant(RtkMediaPermissions media) => new()
    {
        Media = media,
        KickParticipant = false, PinParticipant = true, CanSpotlight = false,
        DisableParticipantAudio = false, DisableParticipantVideo = false, DisableParticipantScreensharing = false,
        AcceptWaitingRequests = false, CanAcceptProductionRequests = false, CanChangeParticipantPermissions = false,
        CanRecord = false, CanLivestream = false, CanEditDisplayName = false,
        ShowParticipantList = true, HiddenParticipant = false,
        WaitingRoomType = "ON_PRIVILEGED_USER_ENTRY", RecorderType = "NONE", IsRecorder = false,
        Chat = new RtkChatPermissions(new RtkPublicChat(true, true, true), new RtkPrivateChat(true, true, true, true)),
        Polls = new RtkPollPermissions(false, true, true),
        Plugins = new RtkPluginPermissions { CanStart = false, CanClose = false, CanEditConfig = false },
        ConnectedMeetings = new RtkConnectedMeetingPermissions(false, true, true),
    };

    /// <summary>*_guest: no screenshare, public text chat only, no pinning.</summary>
    private static RtkPresetPermissions Guest(RtkMediaPermissions media) => Participant(media) with
    {
        PinParticipant = false,
        Chat = new RtkChatPermissions(new RtkPublicChat(true, true, false), new RtkPrivateChat(false, true, false, false)),
        ConnectedMeetings = new RtkConnectedMeetingPermissions(false, false, false),
    };

    /// <summary>Webinar and livestream participants: may request the stage; public text chat.</summary>
    private static RtkPresetPermissions StageRequester() => Participant(Media(R, R, N)) with
    {
        Chat = new RtkChatPermissions(new RtkPublicChat(true, true, false), new RtkPrivateChat(false, true, false, false)),
    };

    /// <summary>*_viewer: watch and vote only, skips the waiting room.</summary>
    private static RtkPresetPermissions Viewer() => new()
    {
        Media = Media(N, N, N),
        KickParticipant = false, PinParticipant = false, CanSpotlight = false,
        DisableParticipantAudio = false, DisableParticipantVideo = false, DisableParticipantScreensharing = false,
        AcceptWaitingRequests = false, CanAcceptProductionRequests = false, CanChangeParticipantPermissions = false,
        CanRecord = false, CanLivestream = false, CanEditDisplayName = false,
        ShowParticipantList = false, HiddenParticipant = false,
        WaitingRoomType = "SKIP", RecorderType = "NONE", IsRecorder = false,
        Chat = new RtkChatPermissions(new RtkPublicChat(false, false, false), new RtkPrivateChat(false, false, false, false)),
        Polls = new RtkPollPermissions(false, true, true),
        Plugins = new RtkPluginPermissions { CanStart = false, CanClose = false, CanEditConfig = false },
        ConnectedMeetings = new RtkConnectedMeetingPermissions(false, false, false),
    };

    private static RtkPreset Preset(string name, string viewType, RtkPresetPermissions permissions) =>
        new() { Name = name, Config = Config(viewType), Permissions = permissions, Ui = Ui };

    /// <summary>The name suffix of a preset's twin that skips the waiting room.</summary>
    public const string NoWaitSuffix = "_nowait";

    /// <summary>Each <c>*_participant</c> and <c>*_guest</c> and its twin that skips the waiting room, otherwise the same.</summary>
    private static IEnumerable<RtkPreset> WithNoWaitTwins(IEnumerable<RtkPreset> presets) =>
        presets.SelectMany(p => p.Name.EndsWith("_participant", StringComparison.Ordinal) || p.Name.EndsWith("_guest", StringComparison.Ordinal)
            ? [p, p with { Name = p.Name + NoWaitSuffix, Permissions = p.Permissions with { WaitingRoomType = "SKIP" } }]
            : new[] { p });

    /// <summary>Every Castio preset, in the order of the naming table in docs/realtimekit.md, each no-wait twin after its participant.</summary>
    public static IReadOnlyList<RtkPreset> All { get; } = [.. WithNoWaitTwins(
    [
        Preset("video_host", RtkViewTypes.GroupCall, Host(Media(A, A, A), canLivestream: false)),
        Preset("video_participant", RtkViewTypes.GroupCall, Participant(Media(A, A, A))),
        Preset("video_guest", RtkViewTypes.GroupCall, Guest(Media(A, A, N))),
        Preset("audio_host", RtkViewTypes.AudioRoom, Host(Media(A, N, A), canLivestream: false)),
        Preset("audio_participant", RtkViewTypes.AudioRoom, Participant(Media(A, N, N))),
        Preset("audio_guest", RtkViewTypes.AudioRoom, Guest(Media(A, N, N))),
        Preset("webinar_host", RtkViewTypes.Webinar, Host(Media(A, A, A), canLivestream: true)),
        Preset("webinar_participant", RtkViewTypes.Webinar, StageRequester()),
        Preset("webinar_guest", RtkViewTypes.Webinar, StageRequester() with
        {
            PinParticipant = false,
            ConnectedMeetings = new RtkConnectedMeetingPermissions(false, false, false),
        }),
        Preset("webinar_viewer", RtkViewTypes.Webinar, Viewer()),
        Preset("livestream_host", RtkViewTypes.Webinar, Host(Media(A, A, A), canLivestream: true)),
        Preset("livestream_participant", RtkViewTypes.Webinar, StageRequester()),
        Preset("livestream_viewer", RtkViewTypes.Webinar, Viewer()),
    ])];

    private static readonly Dictionary<string, RtkPreset> ByName = All.ToDictionary(p => p.Name, StringComparer.Ordinal);

    public static bool Exists(string name) => ByName.ContainsKey(name);

    /// <summary>The preset's twin that skips the waiting room, if Castio has one; else the preset itself.</summary>
    public static string NoWait(string name) => ByName.ContainsKey(name + NoWaitSuffix) ? name + NoWaitSuffix : name;

    public static RtkPreset Get(string name) =>
        ByName.TryGetValue(name, out var preset) ? preset : throw new KeyNotFoundException($"No Castio preset named '{name}'.");
}
