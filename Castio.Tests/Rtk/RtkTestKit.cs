using System.Text.Json.Nodes;
using Castio.Core.Presets;
using Castio.Core.Rtk;
using Castio.RtkSimulator;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Castio.Tests.Rtk;

/// <summary>Builds RTK clients pointed at a simulator, with test-sized timeouts and backoffs.</summary>
internal static class RtkTestKit
{
    public static RtkOptions OptionsFor(RtkSimulatorHost sim, Action<RtkOptions>? configure = null)
    {
        var options = new RtkOptions
        {
            BaseUrl = sim.BaseUrl,
            AccountId = sim.AccountId,
            ApiToken = sim.Options.ApiToken ?? "any",
            AppId = sim.Options.DefaultAppId ?? "",
            WebhookPublicKeyUrl = sim.PublicKeyUrl,
            RequestTimeout = TimeSpan.FromSeconds(10),
            AttemptTimeout = TimeSpan.FromSeconds(5),
            MaxRetries = 2,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            MaxRetryAfter = TimeSpan.FromSeconds(5),
            CircuitMinimumThroughput = 100,
        };
        configure?.Invoke(options);
        return options;
    }

    public static RtkClient Client(RtkSimulatorHost sim, Action<RtkOptions>? configure = null) => Client(OptionsFor(sim, configure));

    public static RtkClient Client(RtkOptions options)
    {
        var wrapped = Options.Create(options);
        var resilience = new RtkResilience(wrapped, TimeProvider.System, NullLogger<RtkResilience>.Instance);
        return new RtkClient(new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, wrapped, resilience, NullLogger<RtkClient>.Instance);
    }

    /// <summary>The one recorded request matching method and path suffix, after <paramref name="from"/> requests.</summary>
    public static RecordedRequest Request(RtkSimulatorHost sim, string method, string pathSuffix, int from = 0)
    {
        var matches = sim.State.Requests.Skip(from).Where(r => r.Method == method && r.Path.EndsWith(pathSuffix, StringComparison.Ordinal)).ToList();
        return Assert.Single(matches);
    }

    public static JsonObject BodyOf(RecordedRequest request) => Assert.IsType<JsonObject>(JsonNode.Parse(request.Body));

    public static string KitPath(RtkSimulatorHost sim) => $"/client/v4/accounts/{sim.AccountId}/realtime/kit";

    /// <summary>A fresh app with Castio's presets.</summary>
    public static async Task<string> NewAppAsync(RtkClient client, CancellationToken ct)
    {
        var app = await client.Apps.CreateAsync("test-" + Guid.NewGuid().ToString("N")[..8], ct);
        await new PresetProvisioner(client, NullLogger<PresetProvisioner>.Instance).ProvisionAsync(app.Id, ct);
        return app.Id;
    }

    /// <summary>App, meeting, participant and a live session with that participant joined.</summary>
    public static async Task<LiveMeeting> LiveMeetingAsync(RtkSimulatorHost sim, RtkClient client, CancellationToken ct, string title = "Weekly sync")
    {
        var appId = await NewAppAsync(client, ct);
        var meeting = await client.Meetings.CreateAsync(appId, new RtkMeetingRequest { Title = title }, ct);
        var participant = await client.Participants.AddAsync(appId, meeting.Id,
            new RtkAddParticipantRequest { CustomParticipantId = "user-1", PresetName = "video_host", Name = "Mary Sue" }, ct);
        var join = sim.State.Join(participant.Token!);
        return new LiveMeeting(appId, meeting, participant, join);
    }
}

internal sealed record LiveMeeting(string AppId, RtkMeeting Meeting, RtkParticipant Participant, SimulatedJoin Join);

/// <summary>One simulator per test class.</summary>
public sealed class SimulatorFixture : IAsyncLifetime
{
    public RtkSimulatorHost Sim { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Sim = await RtkSimulatorHost.StartAsync(new RtkSimulatorOptions());

    public async ValueTask DisposeAsync() => await Sim.DisposeAsync();
}
