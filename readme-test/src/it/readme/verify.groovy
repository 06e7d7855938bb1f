// The README project compiled under -Xlint:all -Werror (else the build failed before this script), and:
def generated = new File(basedir, 'target/generated-sources/annotations/demo/Losses_TiedAutoencoder.java')
assert generated.isFile() : "Adjoint did not generate " + generated
assert new File(basedir, 'target/classes/demo/Losses_TiedAutoencoder.class').isFile()
def log = new File(basedir, 'build.log').getText('UTF-8')
assert log.contains('README-CHECK-PASSED') : "demo.ReadmeCheck did not run to the end"
assert !log.contains('No processor claimed') : "javac warned about unclaimed annotations"

// The installed processor jar declares itself to Gradle, next to its javac service file.
def jar = new File(localRepositoryPath, 'dev/adjoint/adjoint-processor/0.1.0-SNAPSHOT/adjoint-processor-0.1.0-SNAPSHOT.jar')
assert jar.isFile() : "not installed: " + jar
def zip = new java.util.zip.ZipFile(jar)
try {
    def gradle = zip.getEntry('META-INF/gradle/incremental.annotation.processors')
    assert gradle != null : "no META-INF/gradle/incremental.annotation.processors in " + jar
    def lines = zip.getInputStream(gradle).getText('UTF-8').readLines().findAll { it.trim() }
    assert lines == ['dev.adjoint.processor.AdjointProcessor,isolating', 'dev.adjoint.processor.GeneratedClaim,isolating']
    assert zip.getEntry('META-INF/services/javax.annotation.processing.Processor') != null
} finally {
    zip.close()
}

// The README's plain-javac block, as is, against the same installed jars (M2 = this test's repository).
if (!System.getProperty('os.name').toLowerCase().contains('windows')) {
    def javacDir = new File(basedir, 'javac')
    javacDir.mkdirs()
    def pb = new ProcessBuilder('bash', '-e', new File(basedir, 'javac.sh').absolutePath)
    pb.directory(basedir)
    pb.environment().put('M2', localRepositoryPath.toString())
    pb.environment().put('PATH', System.getProperty('java.home') + '/bin' + File.pathSeparator + System.getenv('PATH'))
    pb.redirectErrorStream(true)
    // Its own output directories, so the Maven build's are not mixed in.
    def script = new File(basedir, 'javac.sh')
    script.setText(script.getText('UTF-8').replace('-d classes -s generated', '-d javac/classes -s javac/generated'), 'UTF-8')
    def process = pb.start()
    def output = process.inputStream.getText('UTF-8')
    assert process.waitFor() == 0 : "the README's javac command failed:\n" + output
    assert new File(basedir, 'javac/generated/demo/Losses_TiedAutoencoder.java').isFile() : output
    assert new File(basedir, 'javac/classes/demo/Losses_TiedAutoencoder.class').isFile() : output
}
return true
