using Azure.Identity;
using Castio.Core.Observability;
using Castio.Functions.Observability;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace Castio.Tests.Observability;

public class TelemetryTests
{
    private static ServiceProvider Build(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value)).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddCastioTelemetry(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void WithoutAConnectionStringNothingIsExported()
    {
        using var services = Build();
        Assert.Null(services.GetService<TracerProvider>());
    }

    [Fact]
    public void WithAConnectionStringRtkSpansAreTraced()
    {
        // A local ingestion endpoint where nothing listens: the exporter's sends fail quietly in the background.
        using var services = Build((Telemetry.ConnectionStringSetting, "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=http://127.0.0.1:9/"));
        Assert.NotNull(services.GetService<TracerProvider>());
        using var call = RtkCall.Start(HttpMethod.Get, "/accounts/a/realtime/kit/app/meetings/m", services.GetRequiredService<ILogger<TelemetryTests>>());

        // The provider listens to Castio's RTK source: without it, StartActivity would have returned no span.
        Assert.NotNull(System.Diagnostics.Activity.Current);
        Assert.Equal(RtkCall.SourceName, System.Diagnostics.Activity.Current!.Source.Name);
    }

    [Theory]
    [InlineData("ClientId=8d6b0b1e-0000-0000-0000-000000000001;Authorization=AAD", true)]
    [InlineData("Authorization=AAD", true)]
    [InlineData("", false)]
    [InlineData("Authorization=Key", false)]
    public void TheEntraAuthenticationStringSignsInWithManagedIdentity(string text, bool identity) =>
        Assert.Equal(identity, Telemetry.Credential(text) is ManagedIdentityCredential);
}
