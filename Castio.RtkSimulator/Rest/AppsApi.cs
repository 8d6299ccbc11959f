using System.Text.Json.Nodes;
using static Castio.RtkSimulator.RestApi;
using static Castio.RtkSimulator.SimHttp;

namespace Castio.RtkSimulator;

/// <summary>Apps: <c>/apps</c> (account level).</summary>
internal static class AppsApi
{
    public static void Map(RouteGroupBuilder kit, RtkSimulatorState s)
    {
        kit.MapGet("/apps", (HttpRequest req) => Locked(s, () =>
        {
            var search = req.Query["search"].ToString();
            var desc = req.Query["sort_order"].ToString() == "DESC";
            var apps = s.Apps.Values.Where(a => search.Length == 0 || a.Name.Contains(search, StringComparison.OrdinalIgnoreCase));
            var list = (desc ? apps.OrderByDescending(a => a.CreatedAt) : apps.OrderBy(a => a.CreatedAt)).ToList();
            var (items, paging) = Page(list, req);
            return Ok(new JsonArray([.. items.Select(AppJson)]), paging: paging);
        }));
        kit.MapPost("/apps", async (HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var name = Str(body, "name", required: true, maxLength: 200)!;
            return Locked(s, () => Ok(new JsonObject { ["app"] = AppJson(s.AddApp(name)) }));
        });
        kit.MapGet("/apps/{app}", (string app) => Locked(s, () => Ok(AppJson(s.App(app)))));
    }

    private static JsonObject AppJson(SimApp a) => new() { ["id"] = a.Id, ["name"] = a.Name, ["created_at"] = RtkSimulatorState.Iso(a.CreatedAt) };
}
