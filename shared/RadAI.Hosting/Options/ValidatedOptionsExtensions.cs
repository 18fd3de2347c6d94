using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RadAI.Hosting.Options;

/// <summary>Typed options bound from configuration and validated when the host starts.</summary>
public static class ValidatedOptionsExtensions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to the configuration section <paramref name="sectionPath"/>
    /// and validates it (data annotations and <see cref="IValidatableObject"/>, nested objects included)
    /// at start: a bad setting stops the host with a message naming the configuration key.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services, string sectionPath)
        where TOptions : class
    {
        services.AddSingleton<IValidateOptions<TOptions>>(new DataAnnotationsPathValidator<TOptions>(sectionPath));
        return services.AddOptions<TOptions>().BindConfiguration(sectionPath).ValidateOnStart();
    }
}

/// <summary>Validates an options object graph and reports each failure with its configuration path.</summary>
public sealed class DataAnnotationsPathValidator<TOptions>(string sectionPath) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = new List<string>();
        Collect(options, sectionPath, failures, depth: 0);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Collect(object instance, string path, List<string> failures, int depth)
    {
        if (depth > 8)
        {
            return;
        }

        var results = new List<ValidationResult>();
        Validator.TryValidateObject(instance, new ValidationContext(instance), results, validateAllProperties: true);
        foreach (var result in results)
        {
            var members = result.MemberNames.Any() ? result.MemberNames : [""];
            foreach (var member in members)
            {
                var key = member.Length == 0 ? path : $"{path}:{member}";
                failures.Add($"{key}: {result.ErrorMessage}");
            }
        }

        foreach (var property in instance.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || !IsOptionsType(property.PropertyType) && !IsOptionsCollection(property.PropertyType))
            {
                continue;
            }

            var value = property.GetValue(instance);
            switch (value)
            {
                case null:
                    continue;
                case IDictionary dictionary:
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        if (entry.Value is not null)
                        {
                            Collect(entry.Value, $"{path}:{property.Name}:{entry.Key}", failures, depth + 1);
                        }
                    }

                    break;
                case IEnumerable items and not string:
                    var index = 0;
                    foreach (var item in items)
                    {
                        if (item is not null)
                        {
                            Collect(item, $"{path}:{property.Name}:{index}", failures, depth + 1);
                        }

                        index++;
                    }

                    break;
                default:
                    Collect(value, $"{path}:{property.Name}", failures, depth + 1);
                    break;
            }
        }
    }

    // Only our own option classes are walked, not framework types.
    private static bool IsOptionsType(Type type) =>
        type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("RadAI", StringComparison.Ordinal) == true;

    private static bool IsOptionsCollection(Type type)
    {
        if (type.IsArray)
        {
            return IsOptionsType(type.GetElementType()!);
        }

        return type.IsGenericType && type.GetGenericArguments().Any(IsOptionsType);
    }
}
