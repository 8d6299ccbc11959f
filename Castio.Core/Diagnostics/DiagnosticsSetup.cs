using Azure.Data.Tables;
using Castio.Core.Retention;
using Castio.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Castio.Core.Diagnostics;

public static class DiagnosticsSetup
{
    /// <summary>Health probes and snapshots, phone-home (a hosted sender) and diagnostics settings. Needs the webhook ledger (AddWebhooksAndPostMeeting).</summary>
    public static IServiceCollection AddDiagnostics(this IServiceCollection services)
    {
        services.AddOptions<DiagnosticsOptions>().BindConfiguration(DiagnosticsOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DiagnosticsOptions>, DiagnosticsOptionsValidator>());
        services.AddHttpClient(PhoneHome.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(10));

        static string Prefix(IServiceProvider sp) => sp.GetRequiredService<IOptions<StorageOptions>>().Value.NamePrefix;
        services.TryAddSingleton(sp => new HealthSnapshotStore(sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<ExpiryStore>(), Prefix(sp)));
        services.TryAddSingleton(sp => new ActiveOrgs(sp.GetRequiredService<TableServiceClient>(), Prefix(sp)));
        services.TryAddSingleton<WebhookHealth>();
        services.TryAddSingleton<PhoneHome>();
        services.AddHostedService(sp => sp.GetRequiredService<PhoneHome>());
        // Transient like the typed RtkClient the probes use.
        services.TryAddTransient<HealthProbes>();
        services.TryAddTransient<HealthService>();
        services.TryAddSingleton<DiagnosticsSettingsService>();
        return services;
    }
}
