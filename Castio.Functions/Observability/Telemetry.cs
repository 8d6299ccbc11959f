using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Castio.Core.Observability;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Castio.Functions.Observability;

/// <summary>
/// Logs and traces through OpenTelemetry to Application Insights when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is
/// set: the worker's own spans and resource (<c>UseFunctionsWorkerDefaults</c>), Castio's RTK spans, and every
/// ILogger entry with its named fields. host.json's telemetryMode makes the host emit the same way, so one trace
/// runs from the host's request to the RTK call.
/// </summary>
public static class Telemetry
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    public static IServiceCollection AddCastioTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration[ConnectionStringSetting];
        if (string.IsNullOrWhiteSpace(connectionString))
            return services;

        var sampleRate = configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>()?.TracesSampleRate ?? 1.0;
        var credential = Credential(configuration[AuthenticationStringSetting]);
        services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithTracing(tracing => tracing.AddSource(RtkCall.SourceName))
            .UseAzureMonitorExporter(o =>
            {
                o.ConnectionString = connectionString;
                o.SamplingRatio = (float)sampleRate;
                if (credential is not null)
                    o.Credential = credential;
            });
        return services;
    }

    /// <summary>
    /// The Entra form the Bicep sets (<c>Authorization=AAD;ClientId=...</c>): the App Insights resource refuses
    /// instrumentation-key ingestion, so the exporter signs in as the app's user-assigned identity.
    /// </summary>
    public static TokenCredential? Credential(string? authenticationString)
    {
        if (string.IsNullOrWhiteSpace(authenticationString))
            return null;
        var parts = authenticationString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var kind) || !kind.Equals("AAD", StringComparison.OrdinalIgnoreCase))
            return null;
        return parts.TryGetValue("ClientId", out var clientId)
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}
