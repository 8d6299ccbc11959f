using Castio.Core.Presets;

namespace Castio.Tests.Presets;

/// <summary>The join-time preset rules (docs/realtimekit.md, Castio's presets), every role × meeting type × creator combination, written out in full.</summary>
public sealed class PresetResolverTests
{
    public static TheoryData<CastioRole, MeetingType, bool, string> Table => new()
    {
        { CastioRole.Owner, MeetingType.Video, true, "video_host" },
        { CastioRole.Owner, MeetingType.Video, false, "video_host" },
        { CastioRole.Owner, MeetingType.Audio, true, "audio_host" },
        { CastioRole.Owner, MeetingType.Audio, false, "audio_host" },
        { CastioRole.Owner, MeetingType.Webinar, true, "webinar_host" },
        { CastioRole.Owner, MeetingType.Webinar, false, "webinar_host" },
        { CastioRole.Owner, MeetingType.Livestream, true, "livestream_host" },
        { CastioRole.Owner, MeetingType.Livestream, false, "livestream_host" },
        { CastioRole.Admin, MeetingType.Video, true, "video_host" },
        { CastioRole.Admin, MeetingType.Video, false, "video_host" },
        { CastioRole.Admin, MeetingType.Audio, true, "audio_host" },
        { CastioRole.Admin, MeetingType.Audio, false, "audio_host" },
        { CastioRole.Admin, MeetingType.Webinar, true, "webinar_host" },
        { CastioRole.Admin, MeetingType.Webinar, false, "webinar_host" },
        { CastioRole.Admin, MeetingType.Livestream, true, "livestream_host" },
        { CastioRole.Admin, MeetingType.Livestream, false, "livestream_host" },
        { CastioRole.Host, MeetingType.Video, true, "video_host" },
        { CastioRole.Host, MeetingType.Video, false, "video_participant" },
        { CastioRole.Host, MeetingType.Audio, true, "audio_host" },
        { CastioRole.Host, MeetingType.Audio, false, "audio_participant" },
        { CastioRole.Host, MeetingType.Webinar, true, "webinar_host" },
        { CastioRole.Host, MeetingType.Webinar, false, "webinar_participant" },
        { CastioRole.Host, MeetingType.Livestream, true, "livestream_host" },
        { CastioRole.Host, MeetingType.Livestream, false, "livestream_participant" },
        { CastioRole.Member, MeetingType.Video, true, "video_participant" },
        { CastioRole.Member, MeetingType.Video, false, "video_participant" },
        { CastioRole.Member, MeetingType.Audio, true, "audio_participant" },
        { CastioRole.Member, MeetingType.Audio, false, "audio_participant" },
        { CastioRole.Member, MeetingType.Webinar, true, "webinar_participant" },
        { CastioRole.Member, MeetingType.Webinar, false, "webinar_participant" },
        { CastioRole.Member, MeetingType.Livestream, true, "livestream_participant" },
        { CastioRole.Member, MeetingType.Livestream, false, "livestream_participant" },
        { CastioRole.Guest, MeetingType.Video, true, "video_guest" },
        { CastioRole.Guest, MeetingType.Video, false, "video_guest" },
        { CastioRole.Guest, MeetingType.Audio, true, "audio_guest" },
        { CastioRole.Guest, MeetingType.Audio, false, "audio_guest" },
        { CastioRole.Guest, MeetingType.Webinar, true, "webinar_viewer" },
        { CastioRole.Guest, MeetingType.Webinar, false, "webinar_viewer" },
        { CastioRole.Guest, MeetingType.Livestream, true, "livestream_viewer" },
        { CastioRole.Guest, MeetingType.Livestream, false, "livestream_viewer" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void RoleTypeAndCreatorResolveToTheSeedPreset(CastioRole role, MeetingType type, bool isCreator, string expected)
    {
        var preset = PresetResolver.Resolve(role, type, isCreator);

        Assert.Equal(expected, preset);
        Assert.True(CastioPresets.Exists(preset), $"{preset} is not a provisioned preset");
    }

    [Fact]
    public void TheTableCoversEveryCombination()
    {
        var rows = Table.Select(r => r.Data).Select(d => (d.Item1, d.Item2, d.Item3)).ToHashSet();
        var all = from role in Enum.GetValues<CastioRole>() from type in Enum.GetValues<MeetingType>() from creator in new[] { true, false } select (role, type, creator);
        Assert.True(rows.SetEquals(all));
    }

    [Fact]
    public void UnknownRoleIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PresetResolver.Resolve((CastioRole)42, MeetingType.Video, false));
}
