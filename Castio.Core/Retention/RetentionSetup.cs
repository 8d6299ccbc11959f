using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Castio.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Castio.Core.Retention;

public static class RetentionSetup
{
    /// <summary>The expiry pointers every feature files (<see cref="ExpiryStore"/>), their sweeper, and the per-org retention choice.</summary>
    public static IServiceCollection AddCastioRetention(this IServiceCollection services)
    {
        static string Prefix(IServiceProvider sp) => sp.GetRequiredService<IOptions<StorageOptions>>().Value.NamePrefix;
        services.TryAddSingleton(sp => new ExpiryStore(sp.GetRequiredService<TableServiceClient>(), Prefix(sp), sp.GetRequiredService<BlobServiceClient>()));
        services.TryAddSingleton<ExpirySweeper>();
        services.TryAddSingleton(sp => new RetentionPolicy(sp.GetRequiredService<TableServiceClient>(), Prefix(sp)));
        return services;
    }
}
