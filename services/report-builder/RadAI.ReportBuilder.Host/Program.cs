using RadAI.ReportBuilder;
using RadAI.Hosting;
using RadAI.Hosting.Database;
using RadAI.Hosting.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ReportBuilderModule.ServiceName);
builder.AddRadAIDatabase();
builder.AddRadAIMessaging(bus => bus.AddReportBuilderConsumers());
builder.AddReportBuilder();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
