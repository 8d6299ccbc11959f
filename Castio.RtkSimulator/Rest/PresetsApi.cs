using System.Text.Json.Nodes;
using static Castio.RtkSimulator.RestApi;
using static Castio.RtkSimulator.SimHttp;

namespace Castio.RtkSimulator;

/// <summary>Presets: <c>/{app}/presets</c>.</summary>
internal static class PresetsApi
{
    private static readonly string[] ViewTypes = ["GROUP_CALL", "WEBINAR", "AUDIO_ROOM", "LIVESTREAM"];

    public static void Map(RouteGroupBuilder kit, RtkSimulatorState s)
    {
        kit.MapPost("/{app}/presets", async (string app, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var name = Str(body, "name", required: true, maxLength: 100)!;
            var config = Obj(body, "config", required: true)!;
            var permissions = Obj(body, "permissions", required: true)!;
            var ui = Obj(body, "ui", required: true)!;
            ValidatePresetConfig(config);
            return Locked(s, () =>
            {
                var a = s.App(app);
                if (a.Presets.Values.Any(p => p.Name == name)) throw new SimulatorException(409, $"Preset with name {name} already exists");
                var preset = new SimPreset
                {
                    Id = RtkSimulatorState.NewId(), Name = name, Config = (JsonObject)config.DeepClone(), Permissions = (JsonObject)permissions.DeepClone(),
                    Ui = (JsonObject)ui.DeepClone(), CreatedAt = s.Now, UpdatedAt = s.Now,
                };
                a.Presets.Add(preset.Id, preset);
                return Ok(PresetJson(preset), 201);
            });
        });
        kit.MapGet("/{app}/presets", (string app, HttpRequest req) => Locked(s, () =>
        {
            var search = req.Query["search"].ToString();
            var list = s.App(app).Presets.Values.Where(p => search.Length == 0 || p.Name.Contains(search, StringComparison.OrdinalIgnoreCase))
                .OrderBy(p => p.CreatedAt).ToList();
            var (items, paging) = Page(list, req);
            return Ok(new JsonArray([.. items.Select(p => new JsonObject
            {
                ["id"] = p.Id, ["name"] = p.Name, ["created_at"] = RtkSimulatorState.Iso(p.CreatedAt), ["updated_at"] = RtkSimulatorState.Iso(p.UpdatedAt),
            })]), paging: paging);
        }));
        kit.MapGet("/{app}/presets/{id}", (string app, string id) => Locked(s, () => Ok(PresetJson(Preset(s, app, id)))));
        kit.MapPatch("/{app}/presets/{id}", async (string app, string id, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var name = Str(body, "name", maxLength: 100);
            var config = Obj(body, "config");
            var permissions = Obj(body, "permissions");
            var ui = Obj(body, "ui");
            return Locked(s, () =>
            {
                var a = s.App(app);
                var preset = Preset(s, app, id);
                if (name is not null && name != preset.Name && a.Presets.Values.Any(p => p.Name == name))
                    throw new SimulatorException(409, $"Preset with name {name} already exists");
                // RTK's preset PATCH is deep-partial: absent members keep their values.
                var merged = (JsonObject)preset.Config.DeepClone();
                if (config is not null) { Merge(merged, config); ValidatePresetConfig(merged); preset.Config = merged; }
                if (permissions is not null) Merge(preset.Permissions, permissions);
                if (ui is not null) Merge(preset.Ui, ui);
                if (name is not null) preset.Name = name;
                preset.UpdatedAt = s.Now;
                return Ok(PresetJson(preset));
            });
        });
        kit.MapPut("/{app}/presets/{id}", async (string app, string id, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var name = Str(body, "name", required: true, maxLength: 100)!;
            var config = Obj(body, "config", required: true)!;
            var permissions = Obj(body, "permissions", required: true)!;
            var ui = Obj(body, "ui", required: true)!;
            ValidatePresetConfig(config);
            return Locked(s, () =>
            {
                var preset = Preset(s, app, id);
                preset.Name = name; preset.Config = (JsonObject)config.DeepClone(); preset.Permissions = (JsonObject)permissions.DeepClone(); preset.Ui = (JsonObject)ui.DeepClone();
                preset.UpdatedAt = s.Now;
                return Ok(PresetJson(preset));
            });
        });
        kit.MapDelete("/{app}/presets/{id}", (string app, string id) => Locked(s, () =>
        {
            var preset = Preset(s, app, id);
            s.App(app).Presets.Remove(id);
            return Ok(PresetJson(preset));
        }));
    }

    private static SimPreset Preset(RtkSimulatorState s, string app, string id) =>
        s.App(app).Presets.TryGetValue(id, out var p) ? p : throw new SimulatorException(404, $"No preset found with id {id}");

    private static void ValidatePresetConfig(JsonObject config)
    {
        OneOf(Str(config, "view_type", required: true), "config.view_type", ViewTypes);
        if (Int(config, "max_screenshare_count", 0, 100) is null) throw new SimulatorException(400, "config.max_screenshare_count is required");
        Obj(config, "max_video_streams", required: true);
        Obj(config, "media", required: true);
    }

    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (value is JsonObject patchObject && target[key] is JsonObject targetObject) Merge(targetObject, patchObject);
            else target[key] = value?.DeepClone();
        }
    }

    private static JsonObject PresetJson(SimPreset p) => new()
    {
        ["id"] = p.Id, ["name"] = p.Name, ["config"] = p.Config.DeepClone(), ["permissions"] = p.Permissions.DeepClone(), ["ui"] = p.Ui.DeepClone(),
        ["created_at"] = RtkSimulatorState.Iso(p.CreatedAt), ["updated_at"] = RtkSimulatorState.Iso(p.UpdatedAt),
    };
}
