using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Castio.Core.Rtk;

public static class RtkServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="RtkClient"/> and its resilience pipelines, with <see cref="RtkOptions"/> bound
    /// from the "Rtk" section and validated at start-up.
    /// </summary>
    public static IServiceCollection AddRtk(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RtkOptions>().Bind(configuration.GetSection(RtkOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RtkOptions>, RtkOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RtkResilience>();
        // Polly owns timeouts, so HttpClient's own 100 s default must not cut in first.
        services.AddHttpClient<RtkClient>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        return services;
    }
}
