using Azure.Data.Tables;
using Castio.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Castio.Core.Invites;

public static class InviteServiceCollectionExtensions
{
    /// <summary>Registers the <see cref="InviteStore"/> (its table under the storage name prefix) and the <see cref="InviteService"/>.</summary>
    public static IServiceCollection AddInvites(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new InviteStore(
            sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<IOptions<StorageOptions>>().Value.NamePrefix));
        services.TryAddSingleton<InviteService>();
        return services;
    }
}
