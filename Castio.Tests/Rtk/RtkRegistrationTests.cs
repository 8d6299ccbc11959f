using System.Collections.Concurrent;
using System.Net;
using Castio.Core.Presets;
using Castio.Core.Rtk;
using Castio.Core.Webhooks;
using Castio.LocalHost;
using Castio.RtkSimulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Castio.Tests.Rtk;

/// <summary>AddRtk options binding and validation; standalone wiring to the in-process simulator.</summary>
public sealed class RtkRegistrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddRtk(configuration).AddRtkWebhooks().AddPresets();
        return services.BuildServiceProvider();
    }

    [Fact]
    public void OptionsBindFromTheRtkSectionWithSpecDefaults()
    {
        using var sp = Services(new() { ["Rtk:AccountId"] = "acc", ["Rtk:ApiToken"] = "tok", ["Rtk:AppId"] = "app", ["Rtk:AttemptTimeout"] = "00:00:03" });

        var options = sp.GetRequiredService<IOptions<RtkOptions>>().Value;

        Assert.Equal("https://api.cloudflare.com/client/v4", options.BaseUrl);
        Assert.Equal("https://api.realtime.cloudflare.com/.well-known/webhooks.json", options.WebhookPublicKeyUrl);
        Assert.Equal(TimeSpan.FromSeconds(3), options.AttemptTimeout);
        Assert.Equal("app", sp.GetRequiredService<RtkClient>().DefaultAppId);
        Assert.Same(sp.GetRequiredService<RtkWebhookVerifier>(), sp.GetRequiredService<RtkWebhookVerifier>());
        Assert.NotNull(sp.GetRequiredService<PresetProvisioner>());
    }

    [Fact]
    public void HalfCredentialsAndBadValuesFailValidationNamingTheSetting()
    {
        using var sp = Services(new() { ["Rtk:BaseUrl"] = "not-a-url", ["Rtk:MaxRetries"] = "99", ["Rtk:ApiToken"] = "token-without-account" });

        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<RtkOptions>>().Value);

        Assert.Contains(ex.Failures, f => f.Contains("Rtk:ApiToken") && f.Contains("Rtk:AccountId"));
        Assert.Contains(ex.Failures, f => f.Contains("Rtk:BaseUrl"));
        Assert.Contains(ex.Failures, f => f.Contains("Rtk:MaxRetries"));
    }

    [Fact]
    public async Task WithoutCredentialsStandaloneUsesTheSimulatorAndReceivesItsSignedWebhooks()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Rtk:ApiToken"] = "" });
        var logs = new ListLoggerProvider();
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.AddRtkOrSimulator();
        builder.Services.AddRtk(builder.Configuration).AddRtkWebhooks().AddPresets();
        var deliveries = new ConcurrentQueue<RtkWebhookDelivery>();
        await using var app = builder.Build();
        app.MapPost("/webhooks/rtk", async (HttpRequest request, RtkWebhookVerifier verifier) =>
        {
            var delivery = await verifier.ReadAndVerifyAsync(request);
            deliveries.Enqueue(delivery);
            return delivery.Verification.IsValid ? Results.Ok() : Results.Problem(delivery.Verification.ToProblemDetails());
        });
        await app.StartAsync(Ct);
        try
        {
            var sim = app.Services.GetRequiredService<RtkSimulatorHost>();
            var rtk = app.Services.GetRequiredService<RtkClient>();
            Assert.Equal(RtkSimulatorHosting.SimulatorDefaultAppId, rtk.DefaultAppId);
            Assert.Equal(sim.BaseUrl, app.Services.GetRequiredService<IOptions<RtkOptions>>().Value.BaseUrl);
            Assert.Contains(logs.Messages, m => m.Contains("USING THE IN-PROCESS RTK SIMULATOR"));

            var webhooks = await rtk.Webhooks.ListAsync(rtk.DefaultAppId, Ct);
            var registered = Assert.Single(webhooks);
            Assert.EndsWith("/webhooks/rtk", registered.Url);
            Assert.Equal(RtkWebhookEvents.All, registered.Events);

            await app.Services.GetRequiredService<PresetProvisioner>().ProvisionAsync(rtk.DefaultAppId, Ct);
            var meeting = await rtk.Meetings.CreateAsync(rtk.DefaultAppId, new RtkMeetingRequest { Title = "loop" }, Ct);
            var p = await rtk.Participants.AddAsync(rtk.DefaultAppId, meeting.Id,
                new RtkAddParticipantRequest { CustomParticipantId = "u", PresetName = PresetResolver.Resolve(CastioRole.Owner, MeetingType.Video, true) }, Ct);
            sim.State.Join(p.Token!);

            await sim.State.WaitForDeliveriesAsync(d => d.Count >= 2, TimeSpan.FromSeconds(10), Ct);
            Assert.All(sim.State.Deliveries, d => Assert.Equal(200, d.StatusCode));
            Assert.Equal(2, deliveries.Count);
            Assert.All(deliveries, d => Assert.True(d.Verification.IsValid));
        }
        finally
        {
            await app.StopAsync(Ct);
        }
    }

    [Fact]
    public async Task WithoutCredentialsUnderTheFunctionsHostTheAppStartsAndRtkCallsAreUnavailable()
    {
        var services = new ServiceCollection().AddLogging();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Rtk:ApiToken"] = "", ["Rtk:AccountId"] = "" }).Build();
        services.AddSingleton<IConfiguration>(configuration).AddRtk(configuration);
        await using var sp = services.BuildServiceProvider();

        Assert.False(sp.GetRequiredService<IOptions<RtkOptions>>().Value.IsConfigured()); // valid: RTK may be set up after the first deploy
        var error = await Assert.ThrowsAsync<RtkUnavailableException>(() => sp.GetRequiredService<RtkClient>().Apps.ListAsync(cancellationToken: Ct));
        Assert.Contains("not configured", error.Message);
        Assert.Equal(503, error.ToProblemDetails().Status);
    }

    [Fact]
    public void AnAccountWithoutATokenStopsTheApp()
    {
        var services = new ServiceCollection().AddLogging();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Rtk:ApiToken"] = "", ["Rtk:AccountId"] = "acc" }).Build();
        services.AddSingleton<IConfiguration>(configuration).AddRtk(configuration);
        using var sp = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<RtkOptions>>().Value);
        Assert.Contains("Rtk:AccountId and Rtk:ApiToken", error.Message);
    }

    [Fact]
    public void WithCredentialsNoSimulatorIsStarted()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Rtk:ApiToken"] = "real", ["Rtk:AccountId"] = "acc" });
        builder.AddRtkOrSimulator();
        builder.Services.AddRtk(builder.Configuration);
        using var sp = builder.Services.BuildServiceProvider();

        Assert.Null(sp.GetService<RtkSimulatorHost>());
        Assert.Equal("https://api.cloudflare.com/client/v4", sp.GetRequiredService<IOptions<RtkOptions>>().Value.BaseUrl);
    }

    private sealed class ListLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();
        public ILogger CreateLogger(string categoryName) => new ListLogger(Messages);
        public void Dispose() { }

        private sealed class ListLogger(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception));
        }
    }
}
