using Castio.Core.Presets;
using Castio.Core.Rtk;

namespace Castio.Tests.Presets;

/// <summary>The preset catalogue against the naming table and permission sets in docs/realtimekit.md, Castio's presets.</summary>
public sealed class CastioPresetsTests
{
    private static RtkPresetPermissions P(string name) => CastioPresets.Get(name).Permissions;

    [Fact]
    public void CatalogueHoldsExactlyTheSeedTableNamesAndTheNoWaitTwins() =>
        Assert.Equal(
            ["video_host", "video_participant", "video_participant_nowait", "video_guest", "video_guest_nowait",
             "audio_host", "audio_participant", "audio_participant_nowait", "audio_guest", "audio_guest_nowait",
             "webinar_host", "webinar_participant", "webinar_participant_nowait", "webinar_guest", "webinar_guest_nowait", "webinar_viewer",
             "livestream_host", "livestream_participant", "livestream_participant_nowait", "livestream_viewer"],
            CastioPresets.All.Select(p => p.Name));

    [Theory]
    [InlineData("video_participant")]
    [InlineData("audio_participant")]
    [InlineData("webinar_participant")]
    [InlineData("livestream_participant")]
    [InlineData("video_guest")]
    [InlineData("audio_guest")]
    [InlineData("webinar_guest")]
    public void ANoWaitTwinIsItsParticipantPresetWithoutTheWaitingRoom(string name)
    {
        var waiting = CastioPresets.Get(name);
        var twin = CastioPresets.Get(CastioPresets.NoWait(name));

        Assert.Equal(name + "_nowait", twin.Name);
        Assert.Equal("ON_PRIVILEGED_USER_ENTRY", waiting.Permissions.WaitingRoomType);
        Assert.Equal("SKIP", twin.Permissions.WaitingRoomType);
        Assert.Equal(waiting.Permissions with { WaitingRoomType = "SKIP" }, twin.Permissions);
        Assert.Equal(waiting.Config, twin.Config);
    }

    [Theory]
    [InlineData("video_host")]
    [InlineData("webinar_viewer")]
    public void PresetsWithoutATwinAreTheirOwnNoWaitPreset(string name) => Assert.Equal(name, CastioPresets.NoWait(name));

    [Theory]
    [InlineData("video_host", "GROUP_CALL")]
    [InlineData("audio_guest", "AUDIO_ROOM")]
    [InlineData("webinar_viewer", "WEBINAR")]
    [InlineData("livestream_host", "WEBINAR")]
    public void ViewTypesFollowTheSeed(string name, string viewType) => Assert.Equal(viewType, CastioPresets.Get(name).Config.ViewType);

    [Theory]
    [InlineData("video_host", "ALLOWED", "ALLOWED", "ALLOWED")]
    [InlineData("video_participant", "ALLOWED", "ALLOWED", "ALLOWED")]
    [InlineData("video_guest", "ALLOWED", "ALLOWED", "NOT_ALLOWED")]
    [InlineData("audio_host", "ALLOWED", "NOT_ALLOWED", "ALLOWED")]
    [InlineData("audio_participant", "ALLOWED", "NOT_ALLOWED", "NOT_ALLOWED")]
    [InlineData("audio_guest", "ALLOWED", "NOT_ALLOWED", "NOT_ALLOWED")]
    [InlineData("webinar_host", "ALLOWED", "ALLOWED", "ALLOWED")]
    [InlineData("webinar_participant", "CAN_REQUEST", "CAN_REQUEST", "NOT_ALLOWED")]
    [InlineData("webinar_viewer", "NOT_ALLOWED", "NOT_ALLOWED", "NOT_ALLOWED")]
    [InlineData("livestream_host", "ALLOWED", "ALLOWED", "ALLOWED")]
    [InlineData("livestream_participant", "CAN_REQUEST", "CAN_REQUEST", "NOT_ALLOWED")]
    [InlineData("livestream_viewer", "NOT_ALLOWED", "NOT_ALLOWED", "NOT_ALLOWED")]
    public void MediaPermissionsFollowTheSeed(string name, string audio, string video, string screenshare)
    {
        var media = P(name).Media;
        Assert.Equal((audio, video, screenshare), (media.Audio.CanProduce, media.Video.CanProduce, media.Screenshare.CanProduce));
    }

    [Fact]
    public void OnlyHostsControlTheMeeting()
    {
        foreach (var preset in CastioPresets.All)
        {
            var host = preset.Name.EndsWith("_host", StringComparison.Ordinal);
            var p = preset.Permissions;
            Assert.Equal(host, p.KickParticipant);
            Assert.Equal(host, p.AcceptWaitingRequests);
            Assert.Equal(host, p.CanAcceptProductionRequests);
            Assert.Equal(host, p.DisableParticipantAudio);
            Assert.Equal(host, p.CanRecord);
            Assert.Equal(host, p.Polls.CanCreate);
        }
    }

    [Fact]
    public void OnlyHostsViewersAndNoWaitTwinsSkipTheWaitingRoom() =>
        Assert.Equal(
            ["video_host", "video_participant_nowait", "video_guest_nowait", "audio_host", "audio_participant_nowait", "audio_guest_nowait",
             "webinar_host", "webinar_participant_nowait", "webinar_guest_nowait", "webinar_viewer",
             "livestream_host", "livestream_participant_nowait", "livestream_viewer"],
            CastioPresets.All.Where(p => p.Permissions.WaitingRoomType == "SKIP").Select(p => p.Name));

    [Fact]
    public void LivestreamingBelongsToWebinarAndLivestreamHosts() =>
        Assert.Equal(["webinar_host", "livestream_host"], CastioPresets.All.Where(p => p.Permissions.CanLivestream).Select(p => p.Name));

    [Fact]
    public void GuestAndViewerRestrictionsFollowTheSeed()
    {
        Assert.Equal(new RtkPublicChat(true, true, false), P("video_guest").Chat.Public);
        Assert.Equal(new RtkPrivateChat(false, true, false, false), P("video_guest").Chat.Private);
        Assert.False(P("video_guest").PinParticipant);
        Assert.Equal("ON_PRIVILEGED_USER_ENTRY", P("video_guest").WaitingRoomType);
        Assert.Equal("SKIP", P("webinar_viewer").WaitingRoomType);
        Assert.False(P("webinar_viewer").ShowParticipantList);
        Assert.Equal(new RtkPublicChat(false, false, false), P("livestream_viewer").Chat.Public);
        Assert.Equal(new RtkPollPermissions(false, true, true), P("webinar_viewer").Polls);
        Assert.Equal(new RtkPublicChat(true, true, false), P("webinar_participant").Chat.Public);
        Assert.Equal(new RtkPollPermissions(false, true, true), P("video_participant").Polls);
    }

    [Fact]
    public void UnknownPresetNameIsRefused() => Assert.Throws<KeyNotFoundException>(() => CastioPresets.Get("video_viewer"));
}
