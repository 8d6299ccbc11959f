var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/api/ping", () => "ok");
app.Run();

public partial class Program;
