using Xunit.Abstractions;
using Xunit.Sdk;

namespace Breakwater.Journal.Tests.Infrastructure;

/// <summary>
/// Marks a test of a class that needs the PostgreSQL test server. Such a test is skipped, with the reason, when
/// <c>BREAKWATER_TEST_POSTGRES</c> is not set outside CI; in CI it runs and fails on the missing server.
/// </summary>
public interface IRequiresPostgres;

/// <summary>A fact that is skipped for <see cref="IRequiresPostgres"/> classes when no server is configured.</summary>
[XunitTestCaseDiscoverer(
    "Breakwater.Journal.Tests.Infrastructure.JournalFactDiscoverer", "Breakwater.Journal.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class JournalFactAttribute : FactAttribute;

public sealed class JournalFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    protected override IXunitTestCase CreateTestCase(
        ITestFrameworkDiscoveryOptions discoveryOptions,
        ITestMethod testMethod,
        IAttributeInfo factAttribute)
    {
        var testClass = testMethod.TestClass.Class.ToRuntimeType();
        if (typeof(IRequiresPostgres).IsAssignableFrom(testClass) && PostgresTestServer.SkipReason is { } reason)
        {
            return new SkippedTestCase(
                DiagnosticMessageSink,
                discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(),
                testMethod,
                reason);
        }

        return base.CreateTestCase(discoveryOptions, testMethod, factAttribute);
    }
}

public sealed class SkippedTestCase : XunitTestCase
{
    private string _reason = string.Empty;

    [Obsolete("Called by the deserializer only.", error: true)]
    public SkippedTestCase()
    {
    }

    public SkippedTestCase(
        IMessageSink diagnosticMessageSink,
        TestMethodDisplay methodDisplay,
        TestMethodDisplayOptions methodDisplayOptions,
        ITestMethod testMethod,
        string reason)
        : base(diagnosticMessageSink, methodDisplay, methodDisplayOptions, testMethod)
    {
        _reason = reason;
    }

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("JournalSkipReason", _reason);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        // Read first: the base class computes the skip reason while it deserializes.
        _reason = data.GetValue<string>("JournalSkipReason");
        base.Deserialize(data);
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute) => _reason;
}
