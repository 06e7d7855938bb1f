// Builds the user project from README.md alone: each fenced block preceded by a line
// "<!-- readme-test: PATH ... -->" is written to PATH in this directory, except "usage", whose lines
// go into demo.ReadmeCheck. The only change to the README's pom: strict compiler arguments.
def text = new File(readme).getText('UTF-8')
def blocks = [:]
def matcher = text =~ /(?m)^<!-- readme-test: (\S+)[^\n]*-->\r?\n```\w*\r?\n([\s\S]*?)\r?\n```/
matcher.each { all, path, body -> blocks[path] = body }
['pom.xml', 'src/main/java/demo/Losses.java', 'usage', 'javac.sh'].each { required ->
    if (!blocks.containsKey(required)) {
        throw new IllegalStateException("README.md has no fenced block marked <!-- readme-test: " + required + " -->")
    }
}
blocks.each { path, body ->
    if (path != 'usage') {
        def file = new File(basedir, path)
        file.parentFile.mkdirs()
        file.setText(body + '\n', 'UTF-8')
        println "readme-test: wrote " + path + " from README.md"
    }
}

// -Xlint:all -Werror, in the compiler plugin's configuration of the README's pom.
def pom = new File(basedir, 'pom.xml')
def xml = pom.getText('UTF-8')
int plugin = xml.indexOf('<artifactId>maven-compiler-plugin</artifactId>')
int configuration = plugin < 0 ? -1 : xml.indexOf('<configuration>', plugin)
if (configuration < 0) {
    throw new IllegalStateException("the README's pom.xml has no maven-compiler-plugin <configuration>")
}
configuration += '<configuration>'.length()
xml = xml.substring(0, configuration) +
        '\n          <compilerArgs><arg>-Xlint:all</arg><arg>-Werror</arg></compilerArgs>' +
        xml.substring(configuration)
pom.setText(xml, 'UTF-8')

def template = new File(basedir, 'ReadmeCheck.java.template').getText('UTF-8')
def check = new File(basedir, 'src/main/java/demo/ReadmeCheck.java')
check.parentFile.mkdirs()
check.setText(template.replace('//README-USAGE', blocks['usage']), 'UTF-8')
return true
