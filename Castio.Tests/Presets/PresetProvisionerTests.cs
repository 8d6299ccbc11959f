using Castio.Core.Presets;
using Castio.Core.Rtk;
using Castio.RtkSimulator;
using Castio.Tests.Rtk;
using Microsoft.Extensions.Logging.Abstractions;
using static Castio.Tests.Rtk.RtkTestKit;

namespace Castio.Tests.Presets;

/// <summary>Provisioning Castio's presets into an RTK app (the simulator) is idempotent and repairs drift.</summary>
public sealed class PresetProvisionerTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private readonly RtkSimulatorHost _sim = fixture.Sim;
    private readonly RtkClient _rtk = Client(fixture.Sim);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private PresetProvisioner Provisioner => new(_rtk, NullLogger<PresetProvisioner>.Instance);

    private int Writes(int from) => _sim.State.Requests.Skip(from).Count(r => r.Method is "POST" or "PATCH" or "PUT" or "DELETE");

    [Fact]
    public async Task FirstRunCreatesEveryPresetAndSecondRunWritesNothing()
    {
        var appId = (await _rtk.Apps.CreateAsync("provision", Ct)).Id;

        var first = await Provisioner.ProvisionAsync(appId, Ct);
        Assert.Equal(CastioPresets.All.Select(p => p.Name), first.Created);
        Assert.Empty(first.Updated);

        var from = _sim.State.Requests.Count;
        var second = await Provisioner.ProvisionAsync(appId, Ct);
        Assert.Empty(second.Created);
        Assert.Empty(second.Updated);
        Assert.Equal(CastioPresets.All.Count, second.Unchanged.Count);
        Assert.Equal(0, Writes(from));
        Assert.Equal(CastioPresets.All.Count, (await _rtk.Presets.ListAllAsync(appId, Ct)).Count);
    }

    [Fact]
    public async Task DriftedPresetIsPatchedBackAndOthersAreLeftAlone()
    {
        var appId = (await _rtk.Apps.CreateAsync("drift", Ct)).Id;
        await Provisioner.ProvisionAsync(appId, Ct);
        var presets = await _rtk.Presets.ListAllAsync(appId, Ct);
        var guestId = presets.Single(p => p.Name == "video_guest").Id;
        var guest = await _rtk.Presets.GetAsync(appId, guestId, Ct);
        // Someone grants guests host powers in the dashboard.
        await _rtk.Presets.UpdateAsync(appId, guestId, new RtkPresetUpdate
        {
            Permissions = guest.Permissions with { KickParticipant = true, Media = guest.Permissions.Media with { Screenshare = new RtkCanProduce("ALLOWED") } },
        }, Ct);
        var foreign = await _rtk.Presets.CreateAsync(appId, CastioPresets.Get("video_host") with { Name = "custom_by_customer" }, Ct);

        var from = _sim.State.Requests.Count;
        var result = await Provisioner.ProvisionAsync(appId, Ct);

        Assert.Equal(["video_guest"], result.Updated);
        Assert.Empty(result.Created);
        Assert.Equal(1, Writes(from));
        Assert.Single(_sim.State.Requests.Skip(from), r => r.Method == "PATCH" && r.Path.EndsWith($"/presets/{guestId}", StringComparison.Ordinal));
        var repaired = await _rtk.Presets.GetAsync(appId, guestId, Ct);
        Assert.False(repaired.Permissions.KickParticipant);
        Assert.Equal("NOT_ALLOWED", repaired.Permissions.Media.Screenshare.CanProduce);
        Assert.True(PresetProvisioner.IsSatisfiedBy(CastioPresets.Get("video_guest"), repaired));
        Assert.Equal("custom_by_customer", (await _rtk.Presets.GetAsync(appId, foreign.Id!, Ct)).Name);
    }

    [Fact]
    public async Task MissingPresetIsRecreated()
    {
        var appId = (await _rtk.Apps.CreateAsync("missing", Ct)).Id;
        await Provisioner.ProvisionAsync(appId, Ct);
        var viewer = (await _rtk.Presets.ListAllAsync(appId, Ct)).Single(p => p.Name == "webinar_viewer");
        await _rtk.Presets.DeleteAsync(appId, viewer.Id, Ct);

        var result = await Provisioner.ProvisionAsync(appId, Ct);

        Assert.Equal(["webinar_viewer"], result.Created);
        Assert.Contains(await _rtk.Presets.ListAllAsync(appId, Ct), p => p.Name == "webinar_viewer");
    }

    [Fact]
    public void ExtraFieldsRtkAddsAreNotDrift()
    {
        var desired = CastioPresets.Get("video_host");
        var withDefaults = desired with { Permissions = desired.Permissions with { StageEnabled = true, TranscriptionEnabled = false } };

        Assert.True(PresetProvisioner.IsSatisfiedBy(desired, withDefaults));
        Assert.False(PresetProvisioner.IsSatisfiedBy(desired, desired with { Permissions = desired.Permissions with { CanRecord = false } }));
    }
}
