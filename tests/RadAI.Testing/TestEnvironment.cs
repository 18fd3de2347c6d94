namespace RadAI.Testing;

/// <summary>
/// The servers scripts/test.sh started for this run, read from RADAI_TEST_* variables. A test that
/// needs one and runs without the script fails with a message saying so, rather than being skipped.
/// </summary>
public static class TestEnvironment
{
    /// <summary>Npgsql connection string of the PostgreSQL server (maintenance database).</summary>
    public static string PostgresConnectionString => Require("RADAI_TEST_POSTGRES");

    /// <summary>RabbitMQ AMQP host.</summary>
    public static string RabbitMqHost => Require("RADAI_TEST_RABBITMQ_HOST");

    /// <summary>RabbitMQ AMQP port.</summary>
    public static int RabbitMqPort => int.Parse(Require("RADAI_TEST_RABBITMQ_PORT"), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>RabbitMQ management API base address.</summary>
    public static Uri RabbitMqManagement => new(Require("RADAI_TEST_RABBITMQ_MANAGEMENT"));

    /// <summary>Orthanc REST base address.</summary>
    public static Uri OrthancHttp => new(Require("RADAI_TEST_ORTHANC_HTTP"));

    /// <summary>Orthanc DICOM endpoint as AET@host:port.</summary>
    public static string OrthancDicom => Require("RADAI_TEST_ORTHANC_DICOM");

    /// <summary><see cref="OrthancDicom"/>'s parts: AE title, host, port.</summary>
    public static (string AeTitle, string Host, int Port) OrthancDicomEndpoint
    {
        get
        {
            var endpoint = OrthancDicom;
            var at = endpoint.IndexOf('@', StringComparison.Ordinal);
            var colon = endpoint.LastIndexOf(':');
            return (endpoint[..at], endpoint[(at + 1)..colon], int.Parse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set. This test needs the servers that scripts/test.sh starts: run the tests with scripts/test.sh.");
}
