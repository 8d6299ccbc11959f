using Castio.Core.Rtk;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Castio.Core.Webhooks;

public static class RtkWebhookServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="RtkWebhookVerifier"/>. Its key URL and limits are <see cref="RtkOptions"/>,
    /// so call <see cref="RtkServiceCollectionExtensions.AddRtk"/> too.
    /// </summary>
    public static IServiceCollection AddRtkWebhooks(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(nameof(RtkWebhookVerifier), http => http.Timeout = TimeSpan.FromSeconds(10));
        // The verifier caches the key, so it must live as long as the app.
        services.AddSingleton(sp => new RtkWebhookVerifier(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(RtkWebhookVerifier)),
            sp.GetRequiredService<IOptions<RtkOptions>>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<RtkWebhookVerifier>>()));
        return services;
    }
}
