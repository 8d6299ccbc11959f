using Azure.Data.Tables;
using Castio.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Castio.Core.Meetings;

public static class MeetingServiceCollectionExtensions
{
    /// <summary>The meeting store (singleton) and the services over it (transient, like the typed RtkClient they use).</summary>
    public static IServiceCollection AddMeetings(this IServiceCollection services)
    {
        services.AddSingleton(sp => new MeetingStore(
            sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<IOptions<StorageOptions>>().Value.NamePrefix));
        services.AddTransient<MeetingRtk>();
        services.AddTransient<MeetingService>();
        services.AddTransient<MeetingReconciler>();
        return services;
    }
}
