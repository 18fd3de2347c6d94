using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using RadAI.Hosting.Options;

namespace RadAI.Hosting.Storage;

public static class StorageExtensions
{
    /// <summary>Adds the shared file stores (<c>Storage:Root</c>).</summary>
    public static IHostApplicationBuilder AddRadAIStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<StorageOptions>(StorageOptions.SectionName);
        builder.Services.TryAddSingleton<FileStores>();
        return builder;
    }
}
