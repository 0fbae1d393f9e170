<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name></name>
    <message numerus="yes">
        <source>%n change(s) stay queued</source>
        <translation>
            <numerusform>%n change stays queued</numerusform>
            <numerusform>%n changes stay queued</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n change(s) stay queued.</source>
        <translation>
            <numerusform>%n change stays queued.</numerusform>
            <numerusform>%n changes stay queued.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n change(s) waiting to be sent.</source>
        <translation>
            <numerusform>%n change waiting to be sent.</numerusform>
            <numerusform>%n changes waiting to be sent.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n conflict(s)</source>
        <translation>
            <numerusform>%n conflict</numerusform>
            <numerusform>%n conflicts</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n day</numerusform>
            <numerusform>%n days</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n day(s) ago</source>
        <translation>
            <numerusform>%n day ago</numerusform>
            <numerusform>%n days ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n goal(s)</source>
        <translation>
            <numerusform>%n goal</numerusform>
            <numerusform>%n goals</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n mentee(s)</source>
        <translation>
            <numerusform>%n mentee</numerusform>
            <numerusform>%n mentees</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n mentee(s) need a check-in</source>
        <translation>
            <numerusform>%n mentee needs a check-in</numerusform>
            <numerusform>%n mentees need a check-in</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n mentor(s)</source>
        <translation>
            <numerusform>%n mentor</numerusform>
            <numerusform>%n mentors</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n month(s) ago</source>
        <translation>
            <numerusform>%n month ago</numerusform>
            <numerusform>%n months ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n open action item(s)</source>
        <translation>
            <numerusform>%n open action item</numerusform>
            <numerusform>%n open action items</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n result(s)</source>
        <translation>
            <numerusform>%n result</numerusform>
            <numerusform>%n results</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n session(s)</source>
        <translation>
            <numerusform>%n session</numerusform>
            <numerusform>%n sessions</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n mentee(s)</source>
        <translation>
            <numerusform>Exported %n mentee</numerusform>
            <numerusform>Exported %n mentees</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>It has been %n day(s) since your last session.</source>
        <translation>
            <numerusform>It has been %n day since your last session.</numerusform>
            <numerusform>It has been %n days since your last session.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Move %n goal(s)</source>
        <translation>
            <numerusform>Move %n goal</numerusform>
            <numerusform>Move %n goals</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Offline — %n change(s) queued</source>
        <translation>
            <numerusform>Offline — %n change queued</numerusform>
            <numerusform>Offline — %n changes queued</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Team: offline, %n change(s) waiting</source>
        <translation>
            <numerusform>Team: offline, %n change waiting</numerusform>
            <numerusform>Team: offline, %n changes waiting</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Your %n queued change(s) are kept and go out after you reconnect.</source>
        <translation>
            <numerusform>Your %n queued change is kept and goes out after you reconnect.</numerusform>
            <numerusform>Your %n queued changes are kept and go out after you reconnect.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>amber after %n day(s) without a session</source>
        <translation>
            <numerusform>amber after %n day without a session</numerusform>
            <numerusform>amber after %n days without a session</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>due in %n day(s)</source>
        <translation>
            <numerusform>due in %n day</numerusform>
            <numerusform>due in %n days</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>overdue by %n day(s)</source>
        <translation>
            <numerusform>overdue by %n day</numerusform>
            <numerusform>overdue by %n days</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>red after %n day(s)</source>
        <translation>
            <numerusform>red after %n day</numerusform>
            <numerusform>red after %n days</numerusform>
        </translation>
    </message>
</context>
</TS>
