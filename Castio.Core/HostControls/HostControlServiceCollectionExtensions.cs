using Azure.Data.Tables;
using Castio.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Castio.Core.HostControls;

public static class HostControlServiceCollectionExtensions
{
    /// <summary>Registers the <see cref="AuditLog"/> and the <see cref="HostControlService"/> (transient, like the typed RTK client it uses).</summary>
    public static IServiceCollection AddHostControls(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new AuditLog(
            sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<StorageOptions>>().Value.NamePrefix));
        services.TryAddTransient<HostControlService>();
        return services;
    }
}
