using RadAI.DicomIngest;
using RadAI.Hosting;
using RadAI.Hosting.Database;
using RadAI.Hosting.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(DicomIngestModule.ServiceName);
builder.AddRadAIDatabase();
builder.AddRadAIMessaging(bus => bus.AddDicomIngestConsumers());
builder.AddDicomIngest();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
