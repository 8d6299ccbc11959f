using Microsoft.Extensions.DependencyInjection;

namespace Castio.Core.Observability;

public static class ObservabilityServiceCollectionExtensions
{
    /// <summary>Sentry error reporting (dual DSN, scrubbed) and the telemetry options.</summary>
    public static IServiceCollection AddObservability(this IServiceCollection services)
    {
        services.AddOptions<ErrorReportingOptions>().BindConfiguration(ErrorReportingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ErrorReporter>();
        return services;
    }
}
