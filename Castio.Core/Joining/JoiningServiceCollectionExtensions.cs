using Azure.Data.Tables;
using Castio.Core.Presets;
using Castio.Core.Retention;
using Castio.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Castio.Core.Joining;

public static class JoiningServiceCollectionExtensions
{
    /// <summary>The join flow; it needs storage, Auth (signing key, users, rate limiter), Orgs, Meetings and RTK registered.</summary>
    public static IServiceCollection AddJoining(this IServiceCollection services)
    {
        // A join provisions an RTK app that predates one of Castio's presets.
        services.AddPresets();
        services.TryAddSingleton(sp => new ParticipantStore(
            sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<ExpiryStore>(), sp.GetRequiredService<IOptions<StorageOptions>>().Value.NamePrefix));
        services.TryAddSingleton<ParticipantCounters>();
        services.TryAddSingleton<ParticipantPresence>();
        services.TryAddSingleton<ParticipantTokenVault>();
        services.TryAddSingleton<JoinReads>();
        services.TryAddTransient<JoinMeetings>();
        // Transient like the typed RtkClient it uses.
        services.TryAddTransient<JoinService>();
        return services;
    }
}
