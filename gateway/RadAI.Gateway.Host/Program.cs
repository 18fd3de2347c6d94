using RadAI.Gateway;
using RadAI.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(GatewayModule.ServiceName);
builder.AddRadAIGateway();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapRadAIGateway();
app.Run();
