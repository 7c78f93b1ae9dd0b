# student: network slimming (BatchNorm |gamma|): edit and run `gnuplot slimming.gp` in this folder.
set title "student: network slimming (BatchNorm |gamma|)"
set xlabel "parameters left"
set ylabel "top-1 validation accuracy"
set grid lc rgb '#d0d0d0'
set key right center box opaque
set border lw 1.5
set offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03
set yrange [0:1]
set style line 1 lc rgb '#1f77b4' lw 2 dt 1 pt 1 ps 1.2
set style line 2 lc rgb '#1f77b4' lw 2 dt 2 pt 2 ps 1.2
set style line 3 lc rgb '#d62728' lw 2 dt 1 pt 3 ps 1.2
set style line 4 lc rgb '#d62728' lw 2 dt 2 pt 4 ps 1.2
set terminal pngcairo size 800,600 font 'Sans,12' enhanced
set output 'slimming.png'
plot 'slimming.dat' index 0 using 1:2 with linespoints ls 1 title "iterative 5% per round, fine-tuned", \
     'slimming.dat' index 1 using 1:2 with linespoints ls 2 title "iterative 10% per round, fine-tuned", \
     'slimming.dat' index 2 using 1:2 with linespoints ls 3 title "one shot, fine-tuned as long", \
     'slimming.dat' index 3 using 1:2 with linespoints ls 4 title "one shot, not fine-tuned"
set terminal svg size 800,600 font 'Sans,12' enhanced
set output 'slimming.svg'
replot
unset output
