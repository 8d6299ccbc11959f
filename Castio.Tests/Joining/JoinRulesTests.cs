using System.Security.Cryptography;
using System.Text;
using Castio.Core.Abuse;
using Castio.Core.Auth;
using Castio.Core.Joining;
using Castio.Core.Orgs;
using Castio.Core.Presets;

namespace Castio.Tests.Joining;

public class JoinRulesTests
{
    private static ParticipantTokenVault Vault(string? key = null) => new(Microsoft.Extensions.Options.Options.Create(new AuthOptions
    {
        SigningKey = key ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    }));

    [Theory]
    [InlineData("<b>Ann</b> Lee", "Ann Lee")]
    [InlineData("Bob<script>alert(1)</script>", "Bob")]
    [InlineData("  Zoë   Ng  ", "Zoë Ng")]
    [InlineData("<img src=x onerror=alert(1)>Cy", "Cy")]
    public void GuestNamesLoseTheirMarkup(string raw, string expected) => Assert.Equal(expected, GuestName.Normalize(raw));

    [Theory]
    [InlineData("A")]
    [InlineData("<i>A</i>")]
    [InlineData("<script>x</script>")]
    [InlineData("abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxy")]
    public void GuestNamesOutside2To50CharactersAfterStrippingAreRefused(string raw) =>
        Assert.NotNull(GuestName.Check(GuestName.Normalize(raw)));

    [Fact]
    public void AGuestNameOf50CharactersIsAccepted() => Assert.Null(GuestName.Check(GuestName.Normalize(new string('x', 50))));

    [Fact]
    public void ASealedTokenOpensOnlyOnItsOwnRowAndUnderItsOwnKey()
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var sealedToken = Vault(key).Seal("rtk-token", "org|p1|r1");

        Assert.DoesNotContain("rtk-token", Encoding.UTF8.GetString(Convert.FromBase64String(sealedToken)), StringComparison.Ordinal);
        Assert.Equal("rtk-token", Vault(key).Open(sealedToken, "org|p1|r1"));
        Assert.Null(Vault(key).Open(sealedToken, "org|p2|r1"));
        Assert.Null(Vault().Open(sealedToken, "org|p1|r1"));
        Assert.Null(Vault(key).Open("not base64!", "org|p1|r1"));
    }

    [Fact]
    public void AJwtTokenIsReusedUntilShortlyBeforeItsOwnExpiry()
    {
        var issued = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
        var exp = issued.AddMinutes(20);
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var jwt = $"{B64("{\"alg\":\"RS256\"}")}.{B64($"{{\"exp\":{exp.ToUnixTimeSeconds()}}}")}.sig";

        Assert.Equal(exp - ParticipantTokenVault.ReuseMargin, ParticipantTokenVault.ReusableUntil(jwt, issued));
        Assert.Equal(issued + ParticipantTokenVault.AssumedRtkTokenLifetime - ParticipantTokenVault.ReuseMargin, ParticipantTokenVault.ReusableUntil("opaque", issued));
    }

    [Theory]
    [InlineData(MeetingType.Video, GuestAccess.LinkOnly, false, "video_guest")]
    [InlineData(MeetingType.Audio, GuestAccess.LinkOnly, false, "audio_guest")]
    [InlineData(MeetingType.Webinar, GuestAccess.LinkOnly, false, "webinar_guest")]
    [InlineData(MeetingType.Livestream, GuestAccess.LinkOnly, true, "webinar_guest")]
    [InlineData(MeetingType.Webinar, GuestAccess.Open, true, "webinar_viewer")]
    [InlineData(MeetingType.Webinar, GuestAccess.Open, false, "webinar_viewer")]
    [InlineData(MeetingType.Video, GuestAccess.Open, true, "video_guest")]
    [InlineData(MeetingType.Video, GuestAccess.Open, false, "video_guest_nowait")]
    [InlineData(MeetingType.Audio, GuestAccess.Open, false, "audio_guest_nowait")]
    public void LinkOnlyGuestsAlwaysWaitAndOpenMeetingGuestsOnlyWithAWaitingRoom(MeetingType type, string access, bool waitingRoom, string expected)
    {
        var preset = JoinPresets.ForGuest(type, access, waitingRoom);

        Assert.Equal(expected, preset);
        if (access == GuestAccess.LinkOnly || (waitingRoom && type is MeetingType.Video or MeetingType.Audio))
        {
            Assert.NotEqual("SKIP", CastioPresets.Get(preset).Permissions.WaitingRoomType);
        }
        else if (!waitingRoom)
        {
            Assert.Equal("SKIP", CastioPresets.Get(preset).Permissions.WaitingRoomType);
        }
    }

    [Theory]
    [InlineData(Role.Member, MeetingType.Video, false, true, "video_participant")]
    [InlineData(Role.Member, MeetingType.Video, false, false, "video_participant_nowait")]
    [InlineData(Role.Member, MeetingType.Audio, false, false, "audio_participant_nowait")]
    [InlineData(Role.Member, MeetingType.Webinar, true, true, "webinar_participant")]
    [InlineData(Role.Member, MeetingType.Livestream, false, false, "livestream_participant_nowait")]
    [InlineData(Role.Host, MeetingType.Video, false, true, "video_participant_nowait")]
    [InlineData(Role.Host, MeetingType.Video, true, true, "video_host")]
    [InlineData(Role.Admin, MeetingType.Webinar, false, true, "webinar_host")]
    [InlineData(Role.Owner, MeetingType.Audio, false, false, "audio_host")]
    public void MembersWaitOnlyWhenTheMeetingHasAWaitingRoomAndHostsNever(Role role, MeetingType type, bool isCreator, bool waitingRoom, string expected)
    {
        var preset = JoinPresets.ForMember(role, type, isCreator, waitingRoom);

        Assert.Equal(expected, preset);
        Assert.True(CastioPresets.Exists(preset), $"{preset} is not a provisioned preset");
        Assert.Equal(waitingRoom && role < Role.Host, JoinPresets.HasWaitingRoom(preset));
    }

    [Fact]
    public void TheGuestJoinCeilingScalesWithMaxParticipants()
    {
        Assert.Equal(20, RateLimitRules.GuestJoin(JoinService.MaxGuests(10)).Limit);
        Assert.Equal(500, RateLimitRules.GuestJoin(JoinService.MaxGuests(1000)).Limit);
        Assert.Equal(50, JoinService.MaxGuests(100));
    }
}
