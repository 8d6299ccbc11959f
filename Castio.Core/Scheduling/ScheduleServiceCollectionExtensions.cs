using Azure.Data.Tables;
using Castio.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Castio.Core.Scheduling;

public static class ScheduleServiceCollectionExtensions
{
    /// <summary>Scheduling's stores (its own tables, under the storage name prefix) and services.</summary>
    public static IServiceCollection AddScheduling(this IServiceCollection services)
    {
        static string Prefix(IServiceProvider sp) => sp.GetRequiredService<IOptions<StorageOptions>>().Value.NamePrefix;
        services.TryAddSingleton(sp => new OccurrenceStore(sp.GetRequiredService<TableServiceClient>(), Prefix(sp)));
        services.TryAddSingleton(sp => new DueIndex(sp.GetRequiredService<TableServiceClient>(), Prefix(sp)));
        services.TryAddSingleton<ScheduleService>();
        services.TryAddSingleton<ScheduleCalendar>();
        return services;
    }
}
