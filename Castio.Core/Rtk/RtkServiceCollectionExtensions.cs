using Castio.Core.Presets;
using Castio.Core.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Castio.Core.Rtk;

public static class RtkServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="RtkClient"/>, its resilience pipelines, the webhook verifier and the
    /// preset provisioner, with <see cref="RtkOptions"/> bound from the "Rtk" section and validated at start-up.
    /// </summary>
    public static IServiceCollection AddRtk(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RtkOptions>().Bind(configuration.GetSection(RtkOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RtkOptions>, RtkOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RtkResilience>();
        // Polly owns timeouts, so HttpClient's own 100 s default must not cut in first.
        services.AddHttpClient<RtkClient>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.AddHttpClient(nameof(RtkWebhookVerifier), http => http.Timeout = TimeSpan.FromSeconds(10));
        // The verifier caches the key, so it must live as long as the app.
        services.AddSingleton(sp => new RtkWebhookVerifier(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(RtkWebhookVerifier)),
            sp.GetRequiredService<IOptions<RtkOptions>>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<RtkWebhookVerifier>>()));
        services.TryAddTransient<PresetProvisioner>();
        return services;
    }
}
