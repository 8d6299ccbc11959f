using System.Text.Json.Nodes;
using Castio.Core.Joining;
using Castio.Core.Orgs;
using Castio.Core.Presets;
using Castio.Core.Rtk;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Rtk;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Joining;

/// <summary>Members wait in RTK's waiting room only when the meeting has one; the no-wait presets exist in RTK.</summary>
public class JoinWaitingRoomTests(AzuriteFixture azurite, SimulatorFixture simulator) : IClassFixture<SimulatorFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CastioApplication NewApp() => new CastioApplication(azurite).WithRtkSimulator(simulator.Sim);

    [Fact]
    public async Task AMemberOfAMeetingWithoutAWaitingRoomGetsTheNoWaitPresetWhichRtkHolds()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var member = (await app.MembersAsync(owner, 1))[0];
        var meeting = await client.ActiveMeetingAsync(owner, new { title = "No waiting", meetingType = "video", waitingRoomEnabled = false });
        var mark = simulator.Sim.Mark();

        var joined = await client.JoinAsync(member, meeting).JoinedAsync();

        Assert.Equal("video_participant_nowait", (string?)joined["presetName"]);
        Assert.False((bool)joined["meetingConfig"]!["waitingRoom"]!);
        Assert.False((bool)joined["meetingConfig"]!["waitingRoomEnabled"]!);
        var add = Assert.Single(simulator.Sim.CallsFor((string)meeting["rtkMeetingId"]!, mark), r => r.IsAddParticipant());
        Assert.Equal("video_participant_nowait", (string?)JsonNode.Parse(add.Body)!["preset_name"]);

        // Registration provisioned it into the org's RTK app, next to the participant preset it twins.
        var appId = (await app.Services.GetRequiredService<OrgStore>().GetAsync(owner.OrgId, Ct))!.RtkAppId;
        var rtk = app.Services.GetRequiredService<RtkClient>();
        var presets = (await rtk.Presets.ListAllAsync(appId, Ct)).ToDictionary(p => p.Name, p => p.Id);
        Assert.Equal("SKIP", (await rtk.Presets.GetAsync(appId, presets["video_participant_nowait"], Ct)).Permissions.WaitingRoomType);
        Assert.Equal("ON_PRIVILEGED_USER_ENTRY", (await rtk.Presets.GetAsync(appId, presets["video_participant"], Ct)).Permissions.WaitingRoomType);
        Assert.Contains("webinar_participant_nowait", presets.Keys);
        Assert.Contains("audio_participant_nowait", presets.Keys);
        Assert.Contains("livestream_participant_nowait", presets.Keys);
    }

    [Fact]
    public async Task AJoinProvisionsANoWaitPresetThatAnOlderRtkAppLacks()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var members = await app.MembersAsync(owner, 2);
        var meeting = await client.ActiveMeetingAsync(owner, new { title = "Older app", meetingType = "video", waitingRoomEnabled = false });
        var appId = (await app.Services.GetRequiredService<OrgStore>().GetAsync(owner.OrgId, Ct))!.RtkAppId;
        var rtk = app.Services.GetRequiredService<RtkClient>();
        // The app as a Castio version before the no-wait presets left it.
        foreach (var old in (await rtk.Presets.ListAllAsync(appId, Ct)).Where(p => p.Name.EndsWith("_nowait", StringComparison.Ordinal)))
        {
            await rtk.Presets.DeleteAsync(appId, old.Id, Ct);
        }

        var joined = await client.JoinAsync(members[0], meeting).JoinedAsync();
        var next = await client.JoinAsync(members[1], meeting).JoinedAsync();

        Assert.Equal("video_participant_nowait", (string?)joined["presetName"]);
        Assert.Equal("video_participant_nowait", (string?)next["presetName"]);
        var names = (await rtk.Presets.ListAllAsync(appId, Ct)).Select(p => p.Name).ToList();
        Assert.Equal(CastioPresets.All.Count(p => p.Name.EndsWith("_nowait", StringComparison.Ordinal)), names.Count(n => n.EndsWith("_nowait", StringComparison.Ordinal)));
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public async Task AMemberOfAMeetingWithAWaitingRoomGetsTheWaitingPreset()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var member = (await app.MembersAsync(owner, 1))[0];
        var meeting = await client.ActiveMeetingAsync(owner, new { title = "Waiting", meetingType = "audio", waitingRoomEnabled = true });

        var joined = await client.JoinAsync(member, meeting).JoinedAsync();
        var ownerJoined = await client.JoinAsync(owner, meeting).JoinedAsync();

        Assert.Equal("audio_participant", (string?)joined["presetName"]);
        Assert.True((bool)joined["meetingConfig"]!["waitingRoom"]!);
        Assert.True((bool)joined["meetingConfig"]!["waitingRoomEnabled"]!);
        Assert.Equal("audio_host", (string?)ownerJoined["presetName"]);
    }

    [Fact]
    public async Task ARejoinKeepsItsFirstPresetWhenTheWaitingRoomIsSwitchedOnButNewcomersWait()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var members = await app.MembersAsync(owner, 2);
        var meeting = await client.ActiveMeetingAsync(owner, new { title = "Switched", meetingType = "webinar", waitingRoomEnabled = false });
        var first = await client.JoinAsync(members[0], meeting).JoinedAsync();

        var patched = await client.SendAsync(HttpMethod.Patch, $"/api/meetings/{meeting["id"]}", new { waitingRoomEnabled = true }, owner.AccessToken);
        Assert.True(patched.IsSuccessStatusCode, await patched.Content.ReadAsStringAsync(Ct));
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var again = await client.JoinAsync(members[0], meeting).JoinedAsync();
        var newcomer = await client.JoinAsync(members[1], meeting).JoinedAsync();

        Assert.Equal("webinar_participant_nowait", (string?)first["presetName"]);
        Assert.Equal("webinar_participant_nowait", (string?)again["presetName"]);
        Assert.False((bool)again["meetingConfig"]!["waitingRoom"]!);
        Assert.True((bool)again["meetingConfig"]!["waitingRoomEnabled"]!);
        Assert.Equal("webinar_participant", (string?)newcomer["presetName"]);
        Assert.True((bool)newcomer["meetingConfig"]!["waitingRoom"]!);
        var row = await app.Services.GetRequiredService<ParticipantStore>().GetByUserAsync(owner.OrgId, Guid.Parse((string)meeting["id"]!), members[0].UserId, Ct);
        Assert.Equal("webinar_participant_nowait", row!.PresetName);
    }
}
